/// The definitions behind the report's figures, printed in `bouncetail report --help` and in docs/report.md.
public enum ReportDefinitions {
    /// The default minimum volume for a domain to rank by bounce rate.
    public static let defaultMinVolume = 50

    public static let text = """
        Definitions:
          outcome      one per message and recipient: delivered, hard bounce, soft bounce (an expiry, or a
                       deferral past tracker.deferred_max_age). Counted once however often the logs are read
                       (backfill twice, file plus journal): each outcome's identity is kept (outbox.retention).
          bounce rate  (hard + soft) / (delivered + hard + soft).
          held         bounces held because they are the sender's fault (blocklisted IP, spam verdict, rate
                       limit): a subset of hard and soft, reported beside them, not added to them.
          deferred     messages deferred at least once: counted per message at its first deferred line, not
                       per line and not per retry. Not part of the rate.
          ranking      a domain ranks by bounce rate only with at least --min-volume outcomes (delivered +
                       hard + soft); below that one bounce would look like a disaster.
          days         UTC days of the log time of each outcome; --since/--until select by log time.
          reasons      Sisimai reason names of the bounces in the outbox and the local store (sent rows are
                       pruned after outbox.retention, like the counts).
        """
}
