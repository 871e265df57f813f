import CCurl
import Foundation

/// One libcurl easy handle, used for one IMAP or POP3 session: every ``perform(_:customRequest:noBody:limit:)``
/// on it reuses the connection (and for IMAP the selected mailbox), and ``close()`` ends the session
/// (IMAP LOGOUT, POP3 QUIT, which is when a POP3 server applies DELE).
///
/// Not thread-safe: one session belongs to one poller thread.
final class CurlSession {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var closed = false

    private let api: CurlAPI

    /// What a session needs: where, who, and how to trust the server.
    struct Options {
        var username: String
        var password: String
        var caFile: String?
        /// Require STARTTLS on `imap://` and `pop3://` (the `s` schemes are TLS from the first byte).
        var requireTLS = true
        var timeoutSeconds: Int
    }

    init(options: Options) throws(MailboxError) {
        api = try CurlAPI.shared.get()
        guard let h = api.easyInit() else {
            throw MailboxError(.library, "libcurl could not start a session (curl_easy_init failed)")
        }
        handle = h
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        bt_curl_setopt_pointer(api.pointer, h, CURLOPT_ERRORBUFFER, errorBuffer)
        // Threads and signals: libcurl must not use SIGALRM for timeouts in a threaded daemon.
        bt_curl_setopt_long(api.pointer, h, CURLOPT_NOSIGNAL, 1)
        // Only the mail protocols, never a redirect to anything else.
        bt_curl_setopt_string(api.pointer, h, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s")
        bt_curl_setopt_string(api.pointer, h, CURLOPT_USERNAME, options.username)
        bt_curl_setopt_string(api.pointer, h, CURLOPT_PASSWORD, options.password)
        if options.requireTLS { bt_curl_setopt_long(api.pointer, h, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        if let ca = options.caFile { bt_curl_setopt_string(api.pointer, h, CURLOPT_CAINFO, ca) }
        bt_curl_setopt_long(api.pointer, h, CURLOPT_SSL_VERIFYPEER, 1)
        bt_curl_setopt_long(api.pointer, h, CURLOPT_SSL_VERIFYHOST, 2)
        bt_curl_setopt_long(api.pointer, h, CURLOPT_CONNECTTIMEOUT, options.timeoutSeconds)
        // A stalled server: under 1 byte/s for the timeout ends the transfer.
        bt_curl_setopt_long(api.pointer, h, CURLOPT_LOW_SPEED_LIMIT, 1)
        bt_curl_setopt_long(api.pointer, h, CURLOPT_LOW_SPEED_TIME, options.timeoutSeconds)
        bt_curl_setopt_write(api.pointer, h, curlWrite)
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    /// Runs one request on the session and returns what the server sent as body (a message for a
    /// fetch, untagged lines for IMAP commands, the listing for POP3 LIST), at most `limit` bytes kept.
    func perform(_ url: String, customRequest: String? = nil, noBody: Bool = false, limit: Int = 1 << 20)
        throws(MailboxError) -> [UInt8]
    {
        let sink = ResponseSink(limit: limit)
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        bt_curl_setopt_string(api.pointer, handle, CURLOPT_URL, url)
        if let customRequest {
            bt_curl_setopt_string(api.pointer, handle, CURLOPT_CUSTOMREQUEST, customRequest)
        } else {
            bt_curl_setopt_pointer(api.pointer, handle, CURLOPT_CUSTOMREQUEST, nil)
        }
        bt_curl_setopt_long(api.pointer, handle, CURLOPT_NOBODY, noBody ? 1 : 0)
        bt_curl_setopt_pointer(api.pointer, handle, CURLOPT_WRITEDATA, box.toOpaque())
        errorBuffer[0] = 0
        let code = api.perform(handle)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let text = detail.isEmpty ? api.describe(code) : detail
            throw MailboxError(Self.kind(code), "\(customRequest ?? "request") on \(Self.redacted(url)): \(text)")
        }
        return sink.bytes
    }

    /// Ends the session (LOGOUT / QUIT) and frees the handle.
    func close() {
        guard !closed else { return }
        closed = true
        api.cleanup(handle)
    }

    static func kind(_ code: CURLcode) -> MailboxError.Kind {
        switch code {
        case CURLE_LOGIN_DENIED: return .login
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR,
            CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            return .connection
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_USE_SSL_FAILED:
            return .tls
        default: return .protocolError
        }
    }

    /// The URL without a user part, for messages.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else {
            return url
        }
        let slash = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
        return at < slash ? String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...]) : url
    }
}

/// libcurl's functions, loaded from libcurl.so.4 once, when the first session starts (see Sources/CCurl/shim.h:
/// a daemon without IMAP or POP3 mailboxes never maps libcurl).
final class CurlAPI: @unchecked Sendable {
    // @unchecked: written once in init, read-only afterwards.
    let pointer: UnsafeMutablePointer<bt_curl_api>

    // bt_curl_load checked every pointer; the optionals are C's nullable function pointers.
    func easyInit() -> UnsafeMutableRawPointer? { pointer.pointee.easy_init?() }
    func perform(_ h: UnsafeMutableRawPointer) -> CURLcode { pointer.pointee.easy_perform?(h) ?? CURLE_FAILED_INIT }
    func cleanup(_ h: UnsafeMutableRawPointer) { pointer.pointee.easy_cleanup?(h) }
    func describe(_ code: CURLcode) -> String {
        pointer.pointee.easy_strerror?(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }

    private init(_ pointer: UnsafeMutablePointer<bt_curl_api>) { self.pointer = pointer }

    /// The loaded library, or why it could not be loaded; Swift runs this initialiser once, thread-safely,
    /// which curl_global_init needs (it is not thread-safe itself).
    static let shared: Result<CurlAPI, MailboxError> = {
        let p = UnsafeMutablePointer<bt_curl_api>.allocate(capacity: 1)
        p.initialize(to: bt_curl_api())
        if let error = bt_curl_load(p) {
            return .failure(
                MailboxError(
                    .library,
                    "libcurl could not be loaded (\(String(cString: error))); install Debian's libcurl4 package (apt-get install libcurl4)"
                ))
        }
        guard p.pointee.global_init?(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK else {
            return .failure(MailboxError(.library, "libcurl could not start (curl_global_init failed)"))
        }
        return .success(CurlAPI(p))
    }()
}

/// Collects one response's bytes up to a limit; the rest is read and dropped so the session stays usable.
private final class ResponseSink {
    var bytes: [UInt8] = []
    let limit: Int
    init(limit: Int) { self.limit = limit }
}

private func curlWrite(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let n = size * count
    guard let data, let user else { return n }
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    let room = sink.limit - sink.bytes.count
    if room > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: n) {
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: min(n, room)))
        }
    }
    return n
}
