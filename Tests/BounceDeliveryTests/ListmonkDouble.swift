import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A stand-in for listmonk's `POST /webhooks/bounce` over real HTTP on 127.0.0.1 (an ephemeral port), following
/// `shared/reference/listmonk-bounce-api.md`, with fault injection. Settings and faults may change while it runs.
final class ListmonkDouble: Sendable {
    /// listmonk's settings and users.
    struct Settings: Sendable {
        /// `bounce.webhooks_enabled`: without it the route does not exist (HTML 404).
        var webhooksEnabled = true
        /// `bounce.enabled`: without it the handler answers 503 (v6.2.0+).
        var bounceEnabled = true
        /// Behave as listmonk v2/v3: HTTP Basic against these admin credentials, 401 when wrong.
        var legacyAdmin: (user: String, password: String)?
        var users: [String: ListmonkRules.APIUser] = ["bouncetail": .init(token: "s3cret-token")]
        /// Where listmonk is served (`/listmonk` for a sub-path install); empty for the root.
        var subPath = ""
    }

    /// What to break, and how often. Rates are drawn from a seeded generator, so runs repeat.
    struct Faults: Sendable {
        /// Answer the first N requests with `failFirstStatus` (before anything else).
        var failFirst = 0
        var failFirstStatus = 500
        /// Answer this share of requests with `errorStatus` (500, 503 as a proxy would, 429).
        var errorRate = 0.0
        var errorStatus = 500
        /// Sent with injected errors as `Retry-After`.
        var retryAfter: String?
        /// Wait this long before answering every request.
        var delay: Duration = .zero
        /// Drop this share of connections without answering and without processing.
        var dropRate = 0.0
        /// Record this share of valid bounces, then drop the connection instead of answering (the answer is lost).
        var failAfterProcessingRate = 0.0
    }

    /// A bounce listmonk accepted (answered 200, or would have).
    struct Accepted: Sendable {
        var bounce: ListmonkRules.Bounce
        var body: String
        var at: Date
    }

    struct Log: Sendable {
        var requests = 0
        var requestTimes: [Date] = []
        var statusCounts: [Int: Int] = [:]
        var accepted: [Accepted] = []
        var injectedErrors = 0
        var drops = 0
        var failedAfterProcessing = 0
        var authorizationHeaders: [String] = []
        var paths: [String] = []
    }

    fileprivate struct State: Sendable {
        var settings: Settings
        var faults: Faults
        var random: SeededRandom
        var log = Log()
    }

    private let state: Locked<State>
    private let channel: any Channel
    let port: Int

    /// Starts the double on 127.0.0.1 with an ephemeral port.
    static func start(settings: Settings = Settings(), faults: Faults = Faults(), seed: UInt64 = 42) async throws
        -> ListmonkDouble
    {
        let state = Locked(State(settings: settings, faults: faults, random: SeededRandom(seed: seed)))
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(ListmonkDoubleHandler(state: state))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        return ListmonkDouble(state: state, channel: channel, port: channel.localAddress?.port ?? 0)
    }

    private init(state: Locked<State>, channel: any Channel, port: Int) {
        self.state = state
        self.channel = channel
        self.port = port
    }

    func shutdown() async throws {
        try await channel.close()
    }

    /// listmonk's root URL, sub-path included, with a trailing slash.
    var baseURL: String { "http://127.0.0.1:\(port)\(state.current.settings.subPath)/" }

    var log: Log { state.withLock { $0.log } }

    func update(_ body: (inout Settings) -> Void) { state.withLock { body(&$0.settings) } }
    func updateFaults(_ body: (inout Faults) -> Void) { state.withLock { body(&$0.faults) } }

    // MARK: - Deciding an answer

    enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)], body: String)
        case drop
    }

    fileprivate static func decide(
        state: Locked<State>, method: HTTPMethod, uri: String, headers: [(String, String)], body: [UInt8]
    ) -> (Action, Duration) {
        state.withLock { s in
            s.log.requests += 1
            s.log.requestTimes.append(Date())
            s.log.paths.append(uri)
            if let auth = headers.first(where: { $0.0.lowercased() == "authorization" })?.1 {
                s.log.authorizationHeaders.append(auth)
            }
            let delay = s.faults.delay
            let action = Self.decideLocked(&s, method: method, uri: uri, headers: headers, body: body)
            if case .respond(let status, _, _) = action { s.log.statusCounts[status, default: 0] += 1 }
            return (action, delay)
        }
    }

    private static func draw(_ rate: Double, _ s: inout State) -> Bool {
        rate > 0 && Double.random(in: 0..<1, using: &s.random) < rate
    }

    private static func decideLocked(
        _ s: inout State, method: HTTPMethod, uri: String, headers: [(String, String)], body: [UInt8]
    ) -> Action {
        if s.log.requests <= s.faults.failFirst {
            s.log.injectedErrors += 1
            return injected(s.faults.failFirstStatus, retryAfter: s.faults.retryAfter)
        }
        if draw(s.faults.dropRate, &s) {
            s.log.drops += 1
            return .drop
        }
        if draw(s.faults.errorRate, &s) {
            s.log.injectedErrors += 1
            return injected(s.faults.errorStatus, retryAfter: s.faults.retryAfter)
        }
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        guard s.settings.webhooksEnabled, method == .POST, path == s.settings.subPath + "/webhooks/bounce" else {
            return notFound
        }
        if let admin = s.settings.legacyAdmin {
            let expected = "Basic " + Data("\(admin.user):\(admin.password)".utf8).base64EncodedString()
            let given = headers.first { $0.0.lowercased() == "authorization" }?.1
            if given != expected {
                return .respond(
                    status: 401, headers: [("WWW-Authenticate", "basic realm=Restricted"), ("Content-Type", jsonType)],
                    body: #"{"message":"Unauthorized"}"# + "\n")
            }
        } else if let message = ListmonkRules.authError(headers: headers, users: s.settings.users) {
            return error(403, message)
        }
        guard s.settings.bounceEnabled else { return error(503, "Internal server error") }
        var bounce: ListmonkRules.Bounce
        switch ListmonkRules.decode(body) {
        case .failure(let e): return error(400, "Invalid data:" + e.message)
        case .success(let b): bounce = b
        }
        if let message = ListmonkRules.validate(&bounce) { return error(400, message) }
        s.log.accepted.append(Accepted(bounce: bounce, body: String(decoding: body, as: UTF8.self), at: Date()))
        if draw(s.faults.failAfterProcessingRate, &s) {
            s.log.failedAfterProcessing += 1
            return .drop
        }
        return .respond(status: 200, headers: [("Content-Type", jsonType)], body: #"{"data":true}"# + "\n")
    }

    static let jsonType = "application/json"

    static func error(_ status: Int, _ message: String) -> Action {
        let data = try! JSONSerialization.data(withJSONObject: ["message": message], options: [.withoutEscapingSlashes])
        return .respond(
            status: status, headers: [("Content-Type", jsonType)], body: String(decoding: data, as: UTF8.self) + "\n")
    }

    static let notFound = Action.respond(
        status: 404, headers: [("Content-Type", "text/html; charset=utf-8")],
        body: "<!doctype html>\n<html><head><title>404 - Not found</title></head>"
            + "<body><h2>404 - Not found</h2><p>The page you are looking for does not exist.</p></body></html>\n")

    /// An injected failure, shaped as the component that would really send it answers.
    static func injected(_ status: Int, retryAfter: String?) -> Action {
        var headers: [(String, String)] = []
        if let retryAfter { headers.append(("Retry-After", retryAfter)) }
        switch status {
        case 503:
            // A proxy's 503 (listmonk restarting), not listmonk's bounce-processing-off answer.
            headers.append(("Content-Type", "text/html"))
            return .respond(
                status: 503, headers: headers, body: "<html><body><h1>503 Service Unavailable</h1></body></html>\n")
        case 429:
            headers.append(("Content-Type", "text/plain"))
            return .respond(status: 429, headers: headers, body: "Too Many Requests\n")
        default:
            headers.append(("Content-Type", jsonType))
            return .respond(status: status, headers: headers, body: #"{"message":"Internal server error"}"# + "\n")
        }
    }
}

/// One connection's HTTP handler: collects a request, asks the double what to do, and answers or drops.
private final class ListmonkDoubleHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: Locked<ListmonkDouble.State>
    // Touched only on the channel's event loop; the lock only satisfies Sendable.
    private let request = Locked<(head: HTTPRequestHead?, body: [UInt8])>((nil, []))

    init(state: Locked<ListmonkDouble.State>) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request.withLock { $0 = (head, []) }
        case .body(var buffer):
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            request.withLock { $0.body.append(contentsOf: bytes) }
        case .end:
            let (head, body) = request.withLock { r in (r.head, r.body) }
            guard let head else { return }
            let headers = head.headers.map { ($0.name, $0.value) }
            let (action, delay) = ListmonkDouble.decide(
                state: state, method: head.method, uri: head.uri, headers: headers, body: body)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let keepAlive = head.isKeepAlive
            let version = head.version
            let respond: @Sendable () -> Void = {
                let context = loopBound.value
                switch action {
                case .drop:
                    context.close(promise: nil)
                case .respond(let status, let extra, let text):
                    var headers = HTTPHeaders(extra)
                    headers.add(name: "Content-Length", value: "\(text.utf8.count)")
                    if !keepAlive { headers.add(name: "Connection", value: "close") }
                    let responseHead = HTTPResponseHead(
                        version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
                    context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
                    context.write(
                        NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                    let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
                    if !keepAlive { done.whenComplete { _ in loopBound.value.close(promise: nil) } }
                }
            }
            if delay > .zero {
                let (s, atto) = delay.components
                context.eventLoop.scheduleTask(in: .nanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)) { respond() }
            } else {
                respond()
            }
        }
    }
}
