import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A client for listmonk's `POST /webhooks/bounce`: one bounce per request, judged into a ``DeliveryResult``.
///
/// It never follows redirects (a redirected POST is a configuration error to fix, not to paper over) and never
/// retries by itself: retrying is the dispatcher's job, which knows what a retry may duplicate.
/// Call ``shutdown()`` before dropping the last reference.
public final class ListmonkClient: BounceTransport {
    public let configuration: ListmonkClientConfiguration
    private let url: String
    private let http: HTTPClient
    private let logger: Logger

    /// - Throws: ``DeliveryConfigurationError`` for a base URL that cannot be used, or a CA file that cannot be read.
    public init(configuration: ListmonkClientConfiguration, logger: Logger = Logger(label: "bouncetail.delivery"))
        throws
    {
        self.configuration = configuration
        self.url = try configuration.webhookURL()
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw DeliveryConfigurationError(
                    key: "delivery.listmonk.ca_file", message: "cannot read the CA file \(caFile)")
            }
            // Added to the system store, not replacing it, so a public certificate keeps working too.
            tls.additionalTrustRoots = [.file(caFile)]
        }
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, configuration.maxConnections)
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.requestTimeout)),
            connectionPool: pool)
        httpConfiguration.httpVersion = .automatic
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    }

    /// Closes the connections. Further posts fail with a transport error.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Posts one webhook body and judges the answer.
    /// - Parameter body: the bounce's webhook JSON (as stored in the outbox).
    public func post(body: [UInt8]) async -> DeliveryResult {
        let answer = await send(body: body)
        let result = answer.deliveryResult(now: Date())
        if case .accepted = result, !answer.isListmonkSuccessBody, case .http(let status, _, _, _, let raw) = answer {
            // Still accepted (it is a 2xx and retrying could duplicate), but worth a look.
            logger.warning(
                "listmonk accepted a bounce with an unexpected body",
                metadata: ["status": "\(status)", "body": "\(ListmonkAnswer.excerpt(raw, limit: 120))"])
        }
        return result
    }

    /// ``BounceTransport`` conformance: posts the stored webhook JSON; the dedup key is not sent to listmonk.
    public func deliver(body: String, dedupKey: String) async -> DeliveryResult {
        await post(body: Array(body.utf8))
    }

    /// Posts one body and returns the raw answer, unjudged (``checkListmonk(_:)`` reads it itself).
    public func send(body: [UInt8]) async -> ListmonkAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.headers.add(name: "Authorization", value: configuration.credentials.authorizationHeader)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(
                request, timeout: TimeAmount(configuration.requestTimeout), logger: logger)
            var collected: [UInt8] = []
            for try await part in response.body {
                let room = ListmonkAnswer.maxBodyBytes - collected.count
                if room > 0 { collected.append(contentsOf: part.readableBytesView.prefix(room)) }
            }
            return .http(
                status: Int(response.status.code),
                contentType: response.headers.first(name: "Content-Type"),
                retryAfter: response.headers.first(name: "Retry-After"),
                location: response.headers.first(name: "Location"),
                body: collected)
        } catch {
            return .transport(Self.failure(error, timeout: configuration.requestTimeout))
        }
    }

    /// Sorts a transport error into the kinds that decide retry or pause; the detail never holds the request.
    static func failure(_ error: any Error, timeout: Duration) -> ListmonkAnswer.TransportFailure {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout:
                return .init(kind: .connectTimeout, detail: "no connection within the connect timeout")
            case .readTimeout, .deadlineExceeded:
                return .init(kind: .timeout, detail: "no complete answer within \(timeout)")
            case .remoteConnectionClosed:
                return .init(kind: .closed, detail: "listmonk closed the connection before answering")
            case .invalidURL, .emptyHost, .emptyScheme:
                return .init(kind: .configuration, detail: "\(e)")
            default:
                if "\(e)".contains("unsupportedScheme") { return .init(kind: .configuration, detail: "\(e)") }
                return .init(kind: .other, detail: "\(e)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return .init(kind: .tls, detail: "\(error)")
        }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout:
                return .init(kind: .connectTimeout, detail: "no connection within the connect timeout")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed:
                return .init(kind: .closed, detail: "listmonk closed the connection before answering")
            default: return .init(kind: .other, detail: "\(e)")
            }
        }
        let name = String(describing: type(of: error))
        let text = String(describing: error)
        if name.contains("SSL") || text.contains("handshake") || text.contains("certificate") {
            return .init(kind: .tls, detail: text)
        }
        if name.contains("Connection") || name.contains("IOError") || name.contains("Resolution")
            || text.contains("onnection refused") || text.contains("connect(")
        {
            if !text.contains("refused"), text.contains("reset") || text.contains("Broken pipe") {
                return .init(kind: .closed, detail: text)
            }
            // NIO's text for a refused port nests two causes ("connection reset (error set): Connection
            // refused) (errno: 111)"); the one that matters is that nothing listens.
            if text.contains("onnection refused") {
                return .init(kind: .connect, detail: "connection refused (nothing listens on that port)")
            }
            return .init(kind: .connect, detail: text)
        }
        return .init(kind: .other, detail: text)
    }
}

extension ListmonkClient {
    /// The answer a healthy listmonk gives to an authenticated `{}`: route, credentials, permission and bounce
    /// processing are all in order, and nothing was recorded.
    public static let healthyProbeMessage = "Invalid fields: email / subscriber_uuid"

    /// Posts `{}`: listmonk checks route, credentials, permission and bounce processing before the body, and
    /// records nothing for it. A 400 with ``healthyProbeMessage`` is healthy (`.accepted`); any other answer is
    /// judged as a delivery would be.
    public func probe() async -> DeliveryResult? {
        let answer = await send(body: Array("{}".utf8))
        if case .http(400, _, _, _, _) = answer, answer.listmonkMessage == Self.healthyProbeMessage {
            return .accepted
        }
        return answer.deliveryResult(now: Date())
    }
}
