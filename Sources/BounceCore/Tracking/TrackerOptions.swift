/// How a ``MessageTracker`` behaves. Every field has a default that suits a stock Postfix or Exim.
public struct TrackerOptions: Sendable, Hashable {
    /// `general.host_name`: the identity of this machine's lines and of lines that name no host (Exim's
    /// mainlog). Other lines take their identity from the host they name, through ``hosts``.
    public var host: String
    /// How a line's host (syslog header, `_HOSTNAME`) becomes the host of its identity (state keys,
    /// outcomes, dedup keys): see ``HostIdentity``. Default: `host` with no aliases.
    public var hosts: HostIdentity
    /// Content filters and relay hops the MTA hands mail to for re-injection under a new queue id, besides
    /// loopback (`127.0.0.0/8`, `::1`, `localhost`), which always counts. Written as in Postfix's
    /// `content_filter` (`[127.0.0.1]:10024`, `amavis.local:10024`) or as a bare host/address.
    public var filterRelays: [String]
    /// Emit one `deferred` outcome when a recipient has been deferred this long (microseconds); nil: never.
    public var deferredTooLongAfter: Int64?
    /// Forget a message not heard of for this long (microseconds). Default 7 days: longer than Postfix's
    /// default 5-day queue lifetime and Exim's default 4-day retry cut-off.
    public var maxAge: Int64
    /// At most this many messages in memory; the least recently seen are dropped first.
    public var maxMessages: Int
    /// How old another message's attempt on the same domain may be to explain a recipient that had no
    /// attempt of its own (its host was already known to be down). Microseconds, default 24 hours.
    public var recentAttemptWindow: Int64
    /// Keep the successful deliveries for ``MessageTracker/drainDeliveries()`` (backfill uses them to hold
    /// bounces superseded by a later delivery). Off by default, so follow mode does not accumulate them.
    public var recordDeliveries: Bool
    /// Keep deliveries and first deferrals for ``MessageTracker/drainTallies()`` (the outcome counts behind the
    /// report's rates). Off by default, so a reader that never drains them does not accumulate them.
    public var recordTallies: Bool
    /// Only messages this filter accepts produce outcomes; nil: all messages.
    public var senderFilter: SenderFilter?

    public static let hour: Int64 = 3_600_000_000
    public static let day: Int64 = 86_400_000_000

    public init(
        host: String, filterRelays: [String] = [], deferredTooLongAfter: Int64? = nil,
        maxAge: Int64 = 7 * TrackerOptions.day, maxMessages: Int = 200_000,
        recentAttemptWindow: Int64 = 24 * TrackerOptions.hour, recordDeliveries: Bool = false,
        senderFilter: SenderFilter? = nil, hosts: HostIdentity? = nil, recordTallies: Bool = false
    ) {
        self.host = host
        self.hosts = hosts ?? HostIdentity(hostName: host)
        self.filterRelays = filterRelays
        self.deferredTooLongAfter = deferredTooLongAfter
        self.maxAge = maxAge
        self.maxMessages = max(1, maxMessages)
        self.recentAttemptWindow = recentAttemptWindow
        self.recordDeliveries = recordDeliveries
        self.senderFilter = senderFilter
        self.recordTallies = recordTallies
    }
}
