/// Turns the host a line names (the syslog header's host field, the journal's `_HOSTNAME`) into the host
/// part of the event identity: tracker keys, dedup keys and `meta.host`.
///
/// Postfix reuses short queue ids, and across a fleet two MTAs readily log the same id: the host scopes
/// the id. The same line read from a file (`mx1`) and from the journal (`mx1.example.org`) must still give
/// one identity, so names are reduced to a canonical form:
///
/// 1. an explicit alias (`[hosts] aliases`, looked up by the whole name, then by its first label, both
///    lower-cased) wins and is used as written;
/// 2. a line with no host (Exim's mainlog, a bare message) and a line whose host is one of this machine's
///    own names (``localNames``) take the identity of `general.host_name` (itself resolved by 1 and 3): this
///    machine's lines keep the identity they had before hosts were read;
/// 3. otherwise the name's first label, lower-cased (`MX1.example.org` → `mx1`); an IP address is kept
///    whole (`192.0.2.7`, `2001:db8::7`), since its first label names nothing.
///
/// Pure and cheap: answers are cached per name as logged (a source names one host, a central log a few).
public struct HostIdentity: Sendable, Hashable {
    /// The identity of this machine's lines and of lines that carry no host.
    public let local: String
    /// This machine's own names (lower-cased first labels) besides `host_name`: lines naming them are local.
    public let localNames: Set<String>
    /// Alias → identity, keys lower-cased.
    public let aliases: [String: String]
    /// The identities aliases give, and ``local``: an identity is its own identity (a stored key's host
    /// read back must not move again).
    private let targets: Set<String>
    private var lastRaw: String?
    private var lastIdentity: String = ""
    private var cache: [String: String] = [:]
    /// A forged or broken log could name a new host on every line: the cache is emptied at this size.
    private static let cacheLimit = 4096

    /// - Parameters:
    ///   - hostName: `general.host_name`: the identity of this machine (after aliases and the short form).
    ///   - machineNames: other names this machine's own lines carry (its `gethostname`), any case, short or
    ///     fully qualified.
    ///   - aliases: a name as logged (any case, whole or first label) → the identity to use instead.
    public init(hostName: String, machineNames: [String] = [], aliases: [String: String] = [:]) {
        var folded: [String: String] = [:]
        for (k, v) in aliases { folded[k.lowercased()] = v }
        self.aliases = folded
        let local = Self.resolve(hostName, aliases: folded) ?? Self.short(hostName.lowercased())
        self.local = local.isEmpty ? "localhost" : local
        var names: Set<String> = []
        for n in machineNames + [hostName] {
            let l = n.lowercased()
            guard !l.isEmpty, folded[l] == nil, folded[Self.short(l)] == nil else { continue }
            names.insert(Self.short(l))
        }
        self.localNames = names
        self.targets = Set(folded.values).union([self.local])
    }

    /// A stable text naming this configuration: stored beside the dedup keys, so that they are rewritten
    /// once when it changes (an upgrade, a new alias, another `host_name`).
    public var fingerprint: String {
        let a = aliases.keys.sorted().map { "\($0)=\(aliases[$0]!)" }.joined(separator: ",")
        return "hosts-v1;local=\(local);names=\(localNames.sorted().joined(separator: ","));aliases=\(a)"
    }

    /// The identity of a line that named `host` (nil or empty: no host).
    public func identity(of host: String?) -> String {
        guard let host, !host.isEmpty else { return local }
        if targets.contains(host) { return host }
        let lower = host.lowercased()
        if let alias = Self.resolve(lower, aliases: aliases) { return alias }
        let short = Self.short(lower)
        return localNames.contains(short) ? local : short
    }

    /// ``identity(of:)``, remembering the answers (a source's lines nearly all name one host; a central log
    /// interleaves a few).
    public mutating func cachedIdentity(of host: String?) -> String {
        guard let host, !host.isEmpty else { return local }
        if host == lastRaw { return lastIdentity }
        let id: String
        if let known = cache[host] {
            id = known
        } else {
            id = identity(of: host)
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[host] = id
        }
        lastRaw = host
        lastIdentity = id
        return id
    }

    private static func resolve(_ name: String, aliases: [String: String]) -> String? {
        guard !aliases.isEmpty else { return nil }
        let lower = name.lowercased()
        if let a = aliases[lower] { return a }
        var trimmed = lower
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        if let a = aliases[trimmed] { return a }
        return aliases[short(trimmed)]
    }

    /// The first label of a lower-cased name; an IPv4 or IPv6 address whole.
    static func short(_ name: String) -> String {
        var name = name
        if name.hasSuffix(".") { name.removeLast() }
        guard let dot = name.utf8.firstIndex(of: UInt8(ascii: ".")) else { return name }
        let isAddress = name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".")
        }
        if isAddress || name.utf8.contains(UInt8(ascii: ":")) { return name }
        return String(name[..<dot])
    }

    public static func == (a: HostIdentity, b: HostIdentity) -> Bool {
        a.local == b.local && a.localNames == b.localNames && a.aliases == b.aliases
    }

    public func hash(into h: inout Hasher) {
        h.combine(local)
        h.combine(localNames)
        h.combine(aliases)
    }
}
