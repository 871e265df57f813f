/// Every metric bouncetail exports, in one place: name, type, labels and meaning.
/// `docs/operations.md` lists the same table, and a test checks that the two agree.
public enum MetricName {
    /// One metric's description.
    public struct Description: Sendable, Hashable {
        /// The Prometheus name.
        public var name: String
        /// `counter` or `gauge`.
        public var type: String
        /// Label names.
        public var labels: [String]
        /// What it counts.
        public var help: String
    }

    public static let linesRead = "bouncetail_lines_read_total"
    public static let bytesRead = "bouncetail_bytes_read_total"
    public static let parseFailures = "bouncetail_parse_failures_total"
    public static let records = "bouncetail_records_total"
    public static let skippedLongLines = "bouncetail_skipped_long_lines_total"
    public static let gaps = "bouncetail_gaps_total"
    public static let sourceErrors = "bouncetail_source_errors_total"
    public static let untrustedEntries = "bouncetail_untrusted_entries_total"
    public static let mailPolls = "bouncetail_mail_polls_total"
    public static let mailPollErrors = "bouncetail_mail_poll_errors_total"
    public static let mailInputMessages = "bouncetail_mail_input_messages_total"
    public static let lagBytes = "bouncetail_source_lag_bytes"
    public static let lagSeconds = "bouncetail_source_lag_seconds"
    public static let checkpointAge = "bouncetail_checkpoint_age_seconds"
    public static let sourceMissing = "bouncetail_source_missing"
    public static let events = "bouncetail_events_total"
    public static let heldSenderFaults = "bouncetail_held_sender_fault_total"
    public static let malformedUUIDs = "bouncetail_malformed_uuids_total"
    public static let guardHeld = "bouncetail_guard_held_total"
    public static let guardTrippedDomains = "bouncetail_guard_tripped_domains"
    public static let uuidEnrichments = "bouncetail_uuid_enrichments_total"
    public static let outboxPending = "bouncetail_outbox_pending"
    public static let outboxHeld = "bouncetail_outbox_held"
    public static let outboxSent = "bouncetail_outbox_sent_total"
    public static let outboxDead = "bouncetail_outbox_dead"
    public static let outboxOldestPendingAge = "bouncetail_outbox_oldest_pending_age_seconds"
    public static let httpResponses = "bouncetail_http_responses_total"
    public static let dispatcherPaused = "bouncetail_dispatcher_paused"
    public static let trackerMessages = "bouncetail_tracker_messages"
    public static let trackerEvicted = "bouncetail_tracker_evicted_total"
    public static let patternReloads = "bouncetail_pattern_reloads_total"
    public static let healthy = "bouncetail_healthy"
    public static let sourceLastLine = "bouncetail_source_last_line_timestamp_seconds"
    public static let diskFree = "bouncetail_state_disk_free_bytes"
    public static let diskMinFree = "bouncetail_state_disk_min_free_bytes"
    public static let mailMessages = "bouncetail_mail_messages_total"
    public static let mailRecords = "bouncetail_mail_records_total"
    public static let mailUnparsed = "bouncetail_mail_unparsed_total"
    public static let mailHeldUnmatched = "bouncetail_mail_held_unmatched_total"
    public static let mailJoined = "bouncetail_mail_joined_total"
    public static let mailUnmatchedReleased = "bouncetail_mail_unmatched_released_total"
    public static let mailTempfails = "bouncetail_mail_tempfails_total"

    /// The full list.
    public static let all: [Description] = [
        .init(name: linesRead, type: "counter", labels: ["source"], help: "Lines read, per source."),
        .init(name: bytesRead, type: "counter", labels: ["source"], help: "Bytes read (decompressed), per source."),
        .init(
            name: parseFailures, type: "counter", labels: ["source"],
            help: "Lines that looked like MTA lines but could not be parsed."),
        .init(
            name: records, type: "counter", labels: ["kind"],
            help: "Parsed records by kind (delivery, queued, header, ..., other)."),
        .init(
            name: skippedLongLines, type: "counter", labels: ["source"],
            help: "Lines longer than max_line_bytes, skipped."),
        .init(
            name: gaps, type: "counter", labels: ["source"],
            help:
                "Detected gaps: bytes that could not be read (e.g. lost at copytruncate without a .1 copy). Must stay 0."
        ),
        .init(
            name: sourceErrors, type: "counter", labels: ["source", "error"],
            help: "Read errors per source (unreadable file, corrupt gzip, corrupt journal entry)."),
        .init(
            name: mailPolls, type: "counter", labels: ["input"],
            help: "Looks at a mail input ([[mail.maildir]] or [[mail.mailbox]]), failed ones included."),
        .init(
            name: mailPollErrors, type: "counter", labels: ["input", "error"],
            help:
                "Mail input polls that stopped early, by error (connection, tls, login, protocol, commit, maildir, "
                + "library, child, config); "
                + "what was not committed stays in the mailbox."),
        .init(
            name: mailInputMessages, type: "counter", labels: ["input"],
            help: "Mails taken from a mail input and committed (then deleted or moved)."),
        .init(
            name: untrustedEntries, type: "counter", labels: ["source"],
            help:
                "Journal entries that claim to be the MTA's but were written by no trusted unit or user (refused; "
                + "see sources.journal.trust)."),
        .init(
            name: lagBytes, type: "gauge", labels: ["source"],
            help: "Bytes between the read position and the end of the file."),
        .init(
            name: lagSeconds, type: "gauge", labels: ["source"],
            help: "Seconds between now and the log time of the last line read."),
        .init(
            name: checkpointAge, type: "gauge", labels: ["source"],
            help: "Seconds since the source's position was last committed."),
        .init(
            name: sourceMissing, type: "gauge", labels: ["source"],
            help: "1 while a configured file source has no file to read (waiting for it to appear), else 0."),
        .init(
            name: events, type: "counter", labels: ["reason", "type", "fault", "action"],
            help: "Bounce events produced, by Sisimai reason, hard/soft, fault and forward/hold."),
        .init(
            name: heldSenderFaults, type: "counter", labels: ["reason", "remote_domain"],
            help: "Sender-fault bounces held instead of forwarded, by reason and remote domain."),
        .init(
            name: guardHeld, type: "counter", labels: ["reason"],
            help: "Hard bounces held by the spike guard (their domain suddenly rejected most mail), by reason."),
        .init(
            name: guardTrippedDomains, type: "gauge", labels: [],
            help: "Recipient domains the spike guard is holding hard bounces for."),
        .init(
            name: malformedUUIDs, type: "counter", labels: ["header"],
            help: "listmonk UUID headers that were not well-formed UUIDs (left out of the event)."),
        .init(
            name: uuidEnrichments, type: "counter", labels: ["result"],
            help:
                "Known bounces read again with listmonk UUIDs the stored one lacked: enriched (merged), too_late "
                + "(already delivered without them), conflict (the stored ones kept)."),
        .init(
            name: mailMessages, type: "counter", labels: [],
            help: "Report mails read by ingest-mail (the same mail twice counts once), from the state database."),
        .init(
            name: mailRecords, type: "counter", labels: ["kind"],
            help: "Records of report mails by kind: bounce, complaint, auto-reply, delayed, delivered, unknown."),
        .init(
            name: mailUnparsed, type: "counter", labels: [],
            help: "Report mails that could not be read, kept for review."),
        .init(
            name: mailHeldUnmatched, type: "counter", labels: [],
            help: "Hard bounces and complaints from mail held because no log shows the message sent to the recipient."),
        .init(
            name: mailJoined, type: "counter", labels: [],
            help: "Bounces from mail and log lines that joined the other reader's event for the same bounce."),
        .init(
            name: mailUnmatchedReleased, type: "counter", labels: [],
            help: "Held unmatched reports released because a log line later showed the message."),
        .init(
            name: mailTempfails, type: "counter", labels: [],
            help: "ingest-mail runs that exited 75 (the MTA retries), when the database still took the count."),
        .init(name: outboxPending, type: "gauge", labels: [], help: "Events waiting to be delivered."),
        .init(
            name: outboxHeld, type: "gauge", labels: [],
            help: "Events held (too old, sender fault, superseded, spike guard) until released."),
        .init(name: outboxSent, type: "counter", labels: [], help: "Events delivered (2xx or stored)."),
        .init(name: outboxDead, type: "gauge", labels: [], help: "Events in the dead letters."),
        .init(
            name: outboxOldestPendingAge, type: "gauge", labels: [],
            help: "Age in seconds of the oldest pending event (0 when none)."),
        .init(
            name: httpResponses, type: "counter", labels: ["status"],
            help: "listmonk answers by HTTP status; connection errors and timeouts as status=\"error\"/\"timeout\"."),
        .init(
            name: dispatcherPaused, type: "gauge", labels: [],
            help: "1 while the dispatcher is paused by an answer every request would get (401, 403, 404, 503)."),
        .init(name: trackerMessages, type: "gauge", labels: [], help: "Messages in flight in the tracker."),
        .init(
            name: trackerEvicted, type: "counter", labels: ["cause"],
            help:
                "Messages in flight the tracker dropped before their end: cause=\"cap\" (tracker.state_max_messages "
                + "reached), cause=\"age\" (no line for tracker.state_max_age). A late bounce of one lacks its sender, "
                + "Message-ID and listmonk UUIDs."),
        .init(
            name: patternReloads, type: "counter", labels: ["result"],
            help: "Pattern set reloads (SIGHUP) by result: accepted or refused."),
        .init(name: healthy, type: "gauge", labels: [], help: "1 when /healthz answers 200, 0 otherwise."),
        .init(
            name: sourceLastLine, type: "gauge", labels: ["source"],
            help: "Unix time (wall clock) at which the source last gave a line: a silent source stops moving it."),
        .init(
            name: diskFree, type: "gauge", labels: [],
            help: "Free bytes on the filesystem of the state database (checked before each batch)."),
        .init(
            name: diskMinFree, type: "gauge", labels: [],
            help: "The configured minimum (outbox.disk_low_watermark): below it reading pauses."),
    ]
}
