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

    /// libcurl's process-wide set-up, done once before the first handle (it is not thread-safe itself).
    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

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
        guard Self.globalInit, let h = curl_easy_init() else {
            throw MailboxError(.connection, "libcurl could not start (curl_global_init or curl_easy_init failed)")
        }
        handle = h
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        bt_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)
        // Threads and signals: libcurl must not use SIGALRM for timeouts in a threaded daemon.
        bt_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        // Only the mail protocols, never a redirect to anything else.
        bt_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s")
        bt_curl_setopt_string(h, CURLOPT_USERNAME, options.username)
        bt_curl_setopt_string(h, CURLOPT_PASSWORD, options.password)
        if options.requireTLS { bt_curl_setopt_long(h, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        if let ca = options.caFile { bt_curl_setopt_string(h, CURLOPT_CAINFO, ca) }
        bt_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        bt_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        bt_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, options.timeoutSeconds)
        // A stalled server: under 1 byte/s for the timeout ends the transfer.
        bt_curl_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, 1)
        bt_curl_setopt_long(h, CURLOPT_LOW_SPEED_TIME, options.timeoutSeconds)
        bt_curl_setopt_write(h, curlWrite)
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
        bt_curl_setopt_string(handle, CURLOPT_URL, url)
        if let customRequest {
            bt_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, customRequest)
        } else {
            bt_curl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil)
        }
        bt_curl_setopt_long(handle, CURLOPT_NOBODY, noBody ? 1 : 0)
        bt_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, box.toOpaque())
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw MailboxError(Self.kind(code), "\(customRequest ?? "request") on \(Self.redacted(url)): \(text)")
        }
        return sink.bytes
    }

    /// Ends the session (LOGOUT / QUIT) and frees the handle.
    func close() {
        guard !closed else { return }
        closed = true
        curl_easy_cleanup(handle)
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
