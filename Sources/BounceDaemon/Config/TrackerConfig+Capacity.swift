/// `tracker.state_max_messages`: how many messages in flight the tracker holds, what it costs, and what the
/// cap means for a late bounce (docs/design/2026-12-03-follow-in-flight.md has the figures).
extension TrackerConfig {
    /// Below a thousand the cap would drop ordinary deferred mail on a small host; above ten million the state
    /// alone would take over ten gigabytes of memory (``approximateBytesPerMessage``).
    public static let stateMaxMessagesRange = 1_000...10_000_000

    /// The memory one message in flight costs `bouncetail run` at most: 1.2 KB, measured at the cap (the eviction's
    /// sort of every key, docs/design/2026-12-03-backfill-profile.md). With the release build at a million in
    /// flight: about 840 bytes while following (peak 1.0 KB) and 800 bytes once a restart has loaded them back
    /// from the state database (peak 0.96 KB; the rows are read a chunk at a time), both below it.
    public static let approximateBytesPerMessage = 1_200

    /// Why `value` is refused, and what the cap does: for `check-config` and the loader's error.
    static func stateMaxMessagesProblem(_ value: Int) -> String {
        "\(value) is out of range; allowed: \(stateMaxMessagesRange.lowerBound) to \(stateMaxMessagesRange.upperBound) "
            + "messages in flight (default 200000). At the cap the least recently seen tenth is dropped; a late "
            + "line of a dropped message (a bounce after days of deferral) starts it afresh without its sender, "
            + "Message-ID and listmonk UUIDs, so its bounce goes out by address alone, or not at all when "
            + "[tracker.sender_filter] is set"
    }

    /// One line for `check-config`: the cap in effect and the memory it may take.
    public var capacitySummary: String {
        let megabytes = (stateMaxMessages * Self.approximateBytesPerMessage + 999_999) / 1_000_000
        return "tracker: at most \(stateMaxMessages) messages in flight (state_max_messages; about \(megabytes) MB "
            + "of memory when full); beyond it the least recently seen tenth is dropped"
    }
}
