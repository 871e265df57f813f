import Foundation

/// How to reach listmonk's bounce webhook.
public struct ListmonkClientConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// listmonk's root URL as a browser reaches it, sub-path included (`https://lists.example.org/listmonk/`).
    public var baseURL: String
    public var credentials: ListmonkCredentials
    /// A PEM file of extra CA certificates trusted besides the system store (a private CA); nil for the system
    /// store alone.
    public var caFile: String?
    /// How long to wait for a TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// How long one request may take from start to the end of the answer.
    public var requestTimeout: Duration
    /// Sent as `User-Agent`, so listmonk's and a proxy's logs name the caller.
    public var userAgent: String
    /// At most this many connections to listmonk (the dispatcher's concurrency should not exceed it).
    public var maxConnections: Int

    public init(
        baseURL: String, credentials: ListmonkCredentials, caFile: String? = nil,
        connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        userAgent: String = "bouncetail", maxConnections: Int = 8
    ) {
        self.baseURL = baseURL
        self.credentials = credentials
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.userAgent = userAgent
        self.maxConnections = maxConnections
    }

    /// The webhook's URL: the base URL's path with `webhooks/bounce` appended
    /// (`https://host/listmonk/` → `https://host/listmonk/webhooks/bounce`).
    /// - Throws: ``DeliveryConfigurationError`` (key `delivery.listmonk.url`) for a URL that is not http(s) with a
    ///   host, or that carries a query, fragment or user info.
    public func webhookURL() throws -> String {
        try Self.webhookURL(base: baseURL)
    }

    static func webhookURL(base: String) throws -> String {
        func fail(_ why: String) -> DeliveryConfigurationError {
            DeliveryConfigurationError(key: "delivery.listmonk.url", message: "\(base.debugDescription) \(why)")
        }
        guard let components = URLComponents(string: base.trimmingCharacters(in: .whitespaces)) else {
            throw fail("is not a URL")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw fail("must start with http:// or https://")
        }
        guard let host = components.host, !host.isEmpty else { throw fail("has no host") }
        guard components.query == nil, components.fragment == nil else {
            throw fail("must not have a query or fragment: give listmonk's root URL")
        }
        guard components.user == nil, components.password == nil else {
            throw fail("must not carry credentials: set the API user and token file instead")
        }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        var out = URLComponents()
        out.scheme = scheme
        out.host = host
        out.port = components.port
        out.percentEncodedPath = path + "/webhooks/bounce"
        guard let url = out.string else { throw fail("cannot be combined with /webhooks/bounce") }
        return url
    }

    public var description: String {
        "listmonk at \(baseURL) as \(credentials)" + (caFile.map { ", CA file \($0)" } ?? "")
    }
}
