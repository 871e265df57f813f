import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One plain TCP connect to listmonk's host and port, before `check-listmonk` sends its request.
///
/// The HTTP client retries a refused connection until its connect timeout runs out, and then reports
/// the last of several errors; an operator checking a set-up wants "refused" at once, with one cause.
public enum TCPReachability {
    /// What one connect attempt found.
    public enum Result: Sendable, Hashable {
        /// Something accepted the connection.
        case reachable
        /// The host answered that nothing listens on the port.
        case refused
        /// The host name does not resolve; the text is the resolver's.
        case unresolvable(String)
        /// No answer within the timeout (a firewall dropping packets, a host that is down).
        case timedOut
        /// Another failure (no route, network down); the text is the system's.
        case failed(String)
    }

    /// Host and port of an http(s) URL (port 80 or 443 by scheme when absent), nil when there are none.
    public static func endpoint(of url: String) -> (host: String, port: Int)? {
        guard let u = URLComponents(string: url), let host = u.host, !host.isEmpty,
            let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return nil }
        return (host, u.port ?? (scheme == "https" ? 443 : 80))
    }

    /// Tries each address of `host` once, with `timeout` for each, and reports the best outcome
    /// (reachable, else refused, else the last failure).
    public static func check(host: String, port: Int, timeout: Duration) -> Result {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), String(port), &hints, &list)
        guard rc == 0, let first = list else { return .unresolvable(String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(first) }
        var outcome = Result.failed("no address")
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let ai = node {
            let r = connectOnce(ai.pointee, timeout: timeout)
            if r == .reachable { return r }
            if r == .refused || outcome == .failed("no address") { outcome = r }
            node = ai.pointee.ai_next
        }
        return outcome
    }

    private static func connectOnce(_ ai: addrinfo, timeout: Duration) -> Result {
        let fd = socket(ai.ai_family, ai.ai_socktype | Int32(SOCK_NONBLOCK.rawValue), ai.ai_protocol)
        guard fd >= 0 else { return .failed(String(cString: strerror(errno))) }
        defer { close(fd) }
        if connect(fd, ai.ai_addr, ai.ai_addrlen) == 0 { return .reachable }
        guard errno == EINPROGRESS else {
            return errno == ECONNREFUSED ? .refused : .failed(String(cString: strerror(errno)))
        }
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ms = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let n = poll(&p, 1, max(ms, 1))
        guard n > 0 else { return n == 0 ? .timedOut : .failed(String(cString: strerror(errno))) }
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
        switch err {
        case 0: return .reachable
        case ECONNREFUSED: return .refused
        default: return .failed(String(cString: strerror(err)))
        }
    }
}
