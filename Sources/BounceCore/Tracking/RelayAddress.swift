/// Recognises a delivery to a local content filter or relay hop (amavis, rspamd, a second Postfix instance),
/// after which the message lives on under a new queue id.
struct RelayMatcher: Sendable, Hashable {
    /// (host, port) pairs from the configuration, host lower-cased without brackets; port nil for any.
    private var configured: [(host: String, port: String?)]

    init(filterRelays: [String]) {
        configured = filterRelays.compactMap { raw in
            let r = RelayMatcher.split(raw.trimmingSpaces.lowercased())
            guard let h = r.names.first, !h.isEmpty else { return nil }
            return (h, r.port)
        }
    }

    static func == (a: RelayMatcher, b: RelayMatcher) -> Bool {
        a.configured.elementsEqual(b.configured) { $0.host == $1.host && $0.port == $1.port }
    }

    func hash(into h: inout Hasher) {
        for c in configured { h.combine(c.host); h.combine(c.port) }
    }

    /// Whether the attempt went to loopback or to a configured filter relay.
    func isFilterHop(relay: String?, remoteHost: String?) -> Bool {
        // Every remote Postfix delivery says `queued as`: decide loopback without splitting strings.
        if let h = remoteHost, RelayMatcher.isLoopback(h.lowercased()) { return true }
        if let relay, RelayMatcher.hasLoopbackAddress(relay) { return true }
        if configured.isEmpty { return false }
        var names: [String] = []
        var port: String?
        if let relay {
            let r = RelayMatcher.split(relay.lowercased())
            names = r.names
            port = r.port
        }
        if let remoteHost { names.append(remoteHost.lowercased()) }
        for n in names where RelayMatcher.isLoopback(n) { return true }
        for c in configured {
            if let p = c.port, p != port { continue }
            if names.contains(c.host) { return true }
        }
        return false
    }

    /// Splits `name[addr]:port`, `[addr]:port`, `name:port`, `name` into its names and port.
    static func split(_ s: String) -> (names: [String], port: String?) {
        var names: [String] = []
        var port: String?
        var rest = Substring(s)
        // Postfix content_filter syntax may carry a transport prefix: `smtp-amavis:[127.0.0.1]:10024`.
        if let open = rest.firstIndex(of: "["), let colon = rest[..<open].firstIndex(of: ":") {
            rest = rest[rest.index(after: colon)...]
        }
        if let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            let name = rest[..<open]
            if !name.isEmpty { names.append(String(name)) }
            names.append(String(rest[rest.index(after: open)..<close]))
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { port = String(after.dropFirst()) }
        } else if let colon = rest.lastIndex(of: ":"), rest.firstIndex(of: ":") == colon {
            names.append(String(rest[..<colon]))
            port = String(rest[rest.index(after: colon)...])
        } else {
            names.append(String(rest))
        }
        return (names, port)
    }

    /// `[127.…]`, `[::1]` or a leading `localhost` / `127.` in a relay field, by bytes.
    static func hasLoopbackAddress(_ relay: String) -> Bool {
        let u = Array(relay.utf8)
        func at(_ i: Int, _ lit: StaticString) -> Bool {
            let n = lit.utf8CodeUnitCount
            guard i + n <= u.count else { return false }
            let p = lit.utf8Start
            for j in 0..<n where u[i + j] | (u[i + j] >= 0x41 && u[i + j] <= 0x5A ? 0x20 : 0) != p[j] { return false }
            return true
        }
        if at(0, "localhost") || at(0, "127.") { return true }
        for i in u.indices where u[i] == UInt8(ascii: "[") {
            if at(i + 1, "127.") || at(i + 1, "::1]") { return true }
        }
        return false
    }

    static func isLoopback(_ name: String) -> Bool {
        name == "localhost" || name == "::1" || name == "ipv6:::1" || name.hasPrefix("127.")
            || name == "localhost.localdomain"
    }
}
