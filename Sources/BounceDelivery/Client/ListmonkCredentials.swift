import Foundation

/// An API user's name and token for listmonk, and the header form that carries them.
///
/// The token never appears in `description`, `debugDescription` or a `dump`: it is read from a file or an
/// environment variable (``load(user:tokenFile:tokenEnvironmentVariable:scheme:environment:)``), never from the
/// command line, so that it stays out of `ps`, shell history and logs.
public struct ListmonkCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The two `Authorization` forms listmonk v4+ accepts for API users.
    public enum Scheme: String, Sendable, Hashable, Codable, CaseIterable {
        /// `Authorization: token user:token` (listmonk's documented form).
        case token
        /// `Authorization: Basic base64(user:token)` (what `curl -u user:token` sends).
        case basic
    }

    /// The API user's name (listmonk → Admin → Users, type API).
    public var user: String
    /// The API token. Kept out of every description.
    public var token: String
    public var scheme: Scheme

    /// - Throws: ``DeliveryConfigurationError`` when the user is empty or has a `:`, or the token is empty.
    public init(user: String, token: String, scheme: Scheme = .token) throws {
        guard !user.isEmpty, !user.contains(":") else {
            throw DeliveryConfigurationError(
                key: "delivery.listmonk.user", message: "the listmonk API user name must be non-empty and have no ':'")
        }
        guard !token.isEmpty else {
            throw DeliveryConfigurationError(key: "delivery.listmonk.token", message: "the listmonk API token is empty")
        }
        self.user = user
        self.token = token
        self.scheme = scheme
    }

    /// Reads the token from a file (first line, surrounding white space removed) or, when no file is given, from an
    /// environment variable.
    /// - Parameters:
    ///   - user: the API user name.
    ///   - tokenFile: a file holding the token (e.g. `/etc/bouncetail/listmonk.token`, mode 0600 or 0640).
    ///   - tokenEnvironmentVariable: the variable to read when there is no file (default `BOUNCETAIL_LISTMONK_TOKEN`).
    ///   - environment: the environment to read; the process's by default.
    /// - Throws: ``DeliveryConfigurationError`` naming the file or variable (never the token) when it is missing,
    ///   unreadable or empty.
    public static func load(
        user: String, tokenFile: String?, tokenEnvironmentVariable: String? = "BOUNCETAIL_LISTMONK_TOKEN",
        scheme: Scheme = .token, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ListmonkCredentials {
        if let tokenFile {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: tokenFile))
            } catch {
                throw DeliveryConfigurationError(
                    key: "delivery.listmonk.token_file",
                    message: "cannot read the listmonk token file \(tokenFile): \(Self.reason(error)); "
                        + "check the path and that the bouncetail user may read it")
            }
            let first = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
            let token = first.trimmingCharacters(in: .whitespaces)
            guard !token.isEmpty else {
                throw DeliveryConfigurationError(
                    key: "delivery.listmonk.token_file", message: "the listmonk token file \(tokenFile) is empty")
            }
            return try ListmonkCredentials(user: user, token: token, scheme: scheme)
        }
        guard let name = tokenEnvironmentVariable else {
            throw DeliveryConfigurationError(
                key: "delivery.listmonk.token_file",
                message: "no listmonk token: set a token file or an environment variable")
        }
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw DeliveryConfigurationError(
                key: "delivery.listmonk.token_env",
                message:
                    "no listmonk token: the environment variable \(name) is unset or empty, and no token file is set")
        }
        return try ListmonkCredentials(user: user, token: value, scheme: scheme)
    }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }

    /// The `Authorization` header value.
    public var authorizationHeader: String {
        switch scheme {
        case .token: return "token \(user):\(token)"
        case .basic: return "Basic " + Data("\(user):\(token)".utf8).base64EncodedString()
        }
    }

    public var description: String { "listmonk API user \(user) (\(scheme.rawValue) auth, token redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "scheme": scheme, "token": "<redacted>"]) }
}

/// A delivery setting that cannot be used, with the configuration key it came from.
public struct DeliveryConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration key (e.g. `delivery.listmonk.url`).
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}
