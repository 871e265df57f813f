/// The key of one tracked message (or recent attempt): its identity host, MTA and queue id, with the hash
/// computed once.
///
/// The tracker looked a message up three to five times per line (the message, the dirty, deleted and
/// unsaved sets, whose flags now live beside each state); a `<host>|<mta>|<queue id>` String key was built
/// with an allocation and hashed whole each time. This key reuses the line's own (usually small, inline)
/// Strings and hashes them once; each table then hashes one integer. The stored form, ``text``, is still `<host>|<mta>|<queue id>`
/// (``MessageTracker/key(host:mta:queueID:)``), made only when a row is written.
struct TrackerKey: Hashable, Sendable {
    let host: String
    let mta: MTA
    /// The queue id, or `~d:<domain>` / `~h:<remote host>` for a recent attempt.
    let queueID: String
    private let hashCode: Int

    init(host: String, mta: MTA, queueID: String) {
        self.host = host
        self.mta = mta
        self.queueID = queueID
        var h = Hasher()
        h.combine(host)
        // The case, not `rawValue`: an enum with raw values hashes its raw String.
        h.combine(mta == .postfix ? 0 as UInt8 : 1)
        h.combine(queueID)
        hashCode = h.finalize()
    }

    /// Parses a stored key `<host>|<mta>|<queue id>`; nil when it has no two bars or names no known MTA.
    init?(text: String) {
        guard let first = text.utf8.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        let rest = text.utf8[text.utf8.index(after: first)...]
        guard let second = rest.firstIndex(of: UInt8(ascii: "|")),
            let mta = MTA(rawValue: String(Substring(rest[..<second])))
        else { return nil }
        self.init(
            host: String(Substring(text.utf8[..<first])), mta: mta,
            queueID: String(Substring(rest[rest.index(after: second)...])))
    }

    /// The stored form, `<host>|<mta>|<queue id>`.
    var text: String { MessageTracker.key(host: host, mta: mta, queueID: queueID) }

    static func == (a: TrackerKey, b: TrackerKey) -> Bool {
        a.hashCode == b.hashCode && a.queueID == b.queueID && a.mta == b.mta && a.host == b.host
    }

    func hash(into h: inout Hasher) { h.combine(hashCode) }

    /// The dictionary's and sets' hash, from the stored one without running a `Hasher` again: each lookup,
    /// insert and removal (several per line) fed the stored hash through SipHash once more. `hashCode` is
    /// already a seeded SipHash of the parts; the per-table `seed` is mixed in (multiply, xor-shift) so
    /// that tables of different sizes still spread the keys differently.
    func _rawHashValue(seed: Int) -> Int {
        var x = UInt64(bitPattern: Int64(hashCode)) ^ UInt64(bitPattern: Int64(seed))
        x = (x ^ (x >> 31)) &* 0x7FB5_D329_728E_A185
        x = (x ^ (x >> 27)) &* 0x81DA_DEF4_BC2D_D44D
        return Int(Int64(bitPattern: x ^ (x >> 33)))
    }

    /// `keys` in the order of their stored form (the order the tracker used when keys were Strings).
    static func sortedByText(_ keys: [TrackerKey]) -> [TrackerKey] {
        keys.sorted(by: textLess)
    }

    /// `a.text < b.text` without building either text: eviction sorts up to the whole tracker by it, and
    /// the texts of 200,000 keys were 40 MB at the peak. Host names that are not ASCII (or hold a `|`)
    /// take the texts.
    static func textLess(_ a: TrackerKey, _ b: TrackerKey) -> Bool {
        if a.host == b.host {
            // `exim|` sorts before `postfix|`.
            if a.mta != b.mta { return a.mta == .exim }
            return a.queueID < b.queueID
        }
        let ha = a.host.utf8
        let hb = b.host.utf8
        guard !ha.contains(where: { $0 >= 0x80 || $0 == 0x7C }), !hb.contains(where: { $0 >= 0x80 || $0 == 0x7C })
        else { return a.text < b.text }
        // One host a prefix of the other: the shorter one's `|` meets the longer one's next byte.
        if ha.starts(with: hb) { return ha[ha.index(ha.startIndex, offsetBy: hb.count)] < 0x7C }
        if hb.starts(with: ha) { return 0x7C < hb[hb.index(hb.startIndex, offsetBy: ha.count)] }
        return a.host < b.host
    }
}
