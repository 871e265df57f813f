/// The files of one log, live and rotated, in reading order: oldest first.
///
/// `mail.log-20261118.gz, mail.log-20261119, mail.log.3.gz, mail.log.2.gz, mail.log.1, mail.log`.
/// Dated copies come first (by date), then numbered ones (highest number first), then the live file:
/// a family that switched from numbers to dateext keeps its dated copies, which are older than any
/// number still around only if the switch was long ago, so give modification times when you have
/// them to settle mixed families (``order(_:modificationTimes:)``).
public struct RotationFamily: Sendable, Hashable {
    /// The family key: directory and base name (`/var/log/mail.log`).
    public var key: String
    /// The members, oldest first.
    public var members: [RotatedName]

    /// Groups `paths` into families and orders each oldest first. Families come in the order of their
    /// key; a path listed twice counts once.
    public static func group(_ paths: [String]) -> [RotationFamily] {
        var byKey: [String: [RotatedName]] = [:]
        var seen = Set<String>()
        for path in paths where seen.insert(path).inserted {
            let name = RotatedName(path: path)
            byKey[name.familyKey, default: []].append(name)
        }
        return byKey.keys.sorted().map { key in
            RotationFamily(key: key, members: order(byKey[key]!))
        }
    }

    /// Orders the members of one family oldest first. With `modificationTimes` (seconds, by path),
    /// dated and numbered copies are merged by time instead of dated-first.
    public static func order(_ members: [RotatedName], modificationTimes: [String: Int64] = [:]) -> [RotatedName] {
        members.sorted { a, b in
            let ka = sortKey(a), kb = sortKey(b)
            if ka.group != kb.group {
                if ka.group != 2, kb.group != 2, let ta = modificationTimes[a.path], let tb = modificationTimes[b.path],
                    ta != tb
                {
                    return ta < tb
                }
                return ka.group < kb.group
            }
            switch (a.mark, b.mark) {
            case (.dated(let x), .dated(let y)) where x != y:
                return x.count != y.count ? x.count < y.count : x < y
            case (.numbered(let x), .numbered(let y)) where x != y:
                return x > y
            default:
                // Same mark twice (`mail.log.2` while `mail.log.2.gz` is being written): the
                // uncompressed one first, it is complete; the reader skips the other by identity.
                if (a.compression == nil) != (b.compression == nil) { return a.compression == nil }
                return a.path < b.path
            }
        }
    }

    private static func sortKey(_ n: RotatedName) -> (group: Int, unused: Int) {
        switch n.mark {
        case .dated: return (0, 0)
        case .numbered: return (1, 0)
        case .current: return (2, 0)
        }
    }
}
