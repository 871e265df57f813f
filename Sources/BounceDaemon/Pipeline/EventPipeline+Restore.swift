import BounceCore
import BounceStore

extension EventPipeline {
    /// Brings the stored identities to today's host rule, then loads the tracker state: what every reader
    /// does before its first line.
    ///
    /// Dedup keys recorded under another host form (every key before hosts were read carried
    /// `general.host_name` as written; an alias added since) are rewritten once, so their bounces are not
    /// sent again; tracker rows are restored under the new key and rewritten at the next commit, so
    /// in-flight messages still join their later lines.
    /// - Parameter rejected: told of each state row this binary cannot read (it is dropped with its message's
    ///   join, never a committed bounce).
    @discardableResult
    public func restoreState(from db: StateDB, rejected: (String, any Error) -> Void) throws -> RehostResult {
        let hosts = options.tracker.hosts
        let result = try db.rehostIdentities(fingerprint: hosts.fingerprint) { hosts.identity(of: $0) }
        // Row by row (a chunk of rows read at a time): reading them all first cost a million in-flight messages
        // about 500 MB more at the peak and after (docs/design/2026-12-03-follow-in-flight.md).
        try db.forEachTrackerState { key, bytes in
            do { try restore(key: key, bytes: bytes) } catch { rejected(key, error) }
        }
        return result
    }
}
