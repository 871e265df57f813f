import Logging

/// The whole configuration of bouncetail, as read from `/etc/bouncetail/bouncetail.toml` (see
/// `docs/configuration.md`). Every property has a default, so an empty file is a valid configuration:
/// the local SQLite store, no sources until some are configured, metrics on loopback.
public struct BounceTailConfig: Sendable, Equatable {
    /// `[general]`: identity, time zone, state database.
    public var general = GeneralConfig()
    /// `[[sources.file]]` and `[sources.journal]`: what to read.
    public var sources = SourcesConfig()
    /// `[tracker]`: joining the lines of a message, the deferral policy and the sender filter.
    public var tracker = TrackerConfig()
    /// `[classifier]`: where the pattern set comes from and what is held.
    public var classifier = ClassifierConfig()
    /// `[outbox]`: holding old bounces, retention and the disk watermark.
    public var outbox = OutboxConfig()
    /// `[guard]`: holding hard bounces to a domain in a provider incident.
    public var spikeGuard = SpikeGuardConfig()
    /// `[listmonk]`: the webhook endpoint and its credentials.
    public var listmonk = ListmonkConfig()
    /// `[sink]`: where bounces go.
    public var sink = SinkConfig()
    /// `[metrics]`: the `/metrics` and `/healthz` endpoint.
    public var metrics = MetricsConfig()
    /// `[mail]`: bounce reports that arrive as mail.
    public var mail = MailConfig()
    /// `[hosts]`: the host part of each event's identity (a fleet's central log or journal-remote directory).
    public var hosts = HostsConfig()

    /// The configuration with every default.
    public init() {}

    /// The default path of the configuration file.
    public static let defaultPath = "/etc/bouncetail/bouncetail.toml"
}

/// `[general]`.
public struct GeneralConfig: Sendable, Equatable {
    /// The identity host (`meta.host`, dedup keys) of this machine's own lines and of lines that name no host
    /// (Exim's mainlog); other lines take the host they name (see `[hosts]`). Default: this machine's name.
    public var hostName: String = SystemInfo.hostName()
    /// The time zone of year-less syslog timestamps: `"local"` (the machine's), `"UTC"` or an IANA name.
    public var timeZone: String = "local"
    /// The state database (positions, tracker state, outbox, local bounces store).
    public var stateDB: String = "/var/lib/bouncetail/state.db"
    /// The `source` field of every bounce sent to listmonk.
    public var source: String = "bouncetail"
    /// The least severe log level written: trace, debug, info, notice, warning, error, critical.
    public var logLevel: LogLevelSetting = .info
    public init() {}
}

/// A swift-log level by name.
public enum LogLevelSetting: String, Sendable, Equatable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    /// The swift-log level.
    public var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}

/// `[sources]`.
public struct SourcesConfig: Sendable, Equatable {
    /// `[[sources.file]]`: log files to follow, each entry a family of paths or globs.
    public var files: [FileSourceConfig] = []
    /// `[sources.journal]`: the systemd journal.
    public var journal = JournalSourceConfig()
    public init() {}
}

/// Which MTA wrote a log.
public enum MTASetting: String, Sendable, Equatable, CaseIterable {
    /// Recognise both, line by line.
    case auto
    case postfix
    case exim
}

/// Where a source starts reading the first time it is seen (no stored position).
public enum StartPosition: String, Sendable, Equatable, CaseIterable {
    /// Only lines written from now on (use `bouncetail backfill` for the past).
    case end
    /// The whole current file.
    case beginning
}

/// One `[[sources.file]]` entry.
public struct FileSourceConfig: Sendable, Equatable {
    /// A label for metrics and logs. Default: the first path.
    public var name: String
    /// Paths or globs (`/var/log/mail.log`, `/var/log/exim4/mainlog`).
    public var paths: [String]
    /// Which MTA wrote these files.
    public var mta: MTASetting = .auto
    /// Time zone of year-less timestamps in these files. Default: `general.time_zone`.
    public var timeZone: String?
    /// Lines longer than this are skipped (and counted), keeping memory bounded.
    public var maxLineBytes: ByteSize = .kibibytes(256)
    /// Where to start when the file has no stored position.
    public var startAt: StartPosition = .end
    /// The safety poll in case inotify misses an event.
    public var pollInterval: ConfigDuration = .seconds(10)
    /// The log may not exist on this machine (another MTA's log): while it is absent, `run` says so
    /// in its log and `/healthz` as information, not as a degraded state.
    public var optional = false

    /// Creates an entry for `paths`.
    public init(paths: [String], name: String? = nil) {
        self.paths = paths
        self.name = name ?? paths.first ?? "file"
    }
}

/// `[sources.journal]`.
public struct JournalSourceConfig: Sendable, Equatable {
    /// Whether to read the journal at all.
    public var enabled = false
    /// A journal directory to read instead of the local journal.
    public var directory: String?
    /// Journal files to read instead of the local journal.
    public var files: [String] = []
    /// `_SYSTEMD_UNIT` values to match (exact).
    public var units: [String] = ["postfix.service", "postfix@-.service", "exim4.service"]
    /// `SYSLOG_FACILITY` names or numbers to match (exact), OR-ed with the units.
    public var facilities: [String] = ["mail"]
    /// `SYSLOG_IDENTIFIER` patterns kept after matching (`*` matches any run of characters); entries
    /// that do not match are skipped but the cursor still advances over them.
    public var identifiers: [String] = ["postfix/*", "postfix-*/*", "exim", "exim4"]
    /// Which MTA wrote the entries.
    public var mta: MTASetting = .auto
    /// How far before a vanished cursor's timestamp to restart reading (repeats are dropped by the dedup key).
    public var cursorOverlap: ConfigDuration = .minutes(5)
    /// `[sources.journal.trust]`: which selected entries are believed to come from the MTA.
    public var trust = JournalTrustConfig()
    public init() {}
}

/// `[tracker]`.
public struct TrackerConfig: Sendable, Equatable {
    /// Relays that are content filters or local hops: a `status=sent (... queued as NEWID)` to one of
    /// them continues the message under the new queue id instead of ending it. Matched against the
    /// relay name or address (`127.0.0.1[127.0.0.1]:10024` matches `127.0.0.1`).
    public var filterRelays: [String] = ["127.0.0.1", "::1", "localhost"]
    /// Emit one soft bounce when a recipient has been deferred longer than this; nil disables it
    /// (the event then comes at the final outcome only).
    public var deferredMaxAge: ConfigDuration?
    /// Tracker state of a message not seen for this long is dropped (longer than the MTA's queue lifetime).
    public var stateMaxAge: ConfigDuration = .days(7)
    /// At most this many messages' state in memory (and in the state database's `tracker_state`); beyond it the
    /// least recently seen tenth is dropped. See ``TrackerConfig/stateMaxMessagesRange``.
    public var stateMaxMessages: Int = 200_000
    /// `[tracker.sender_filter]`.
    public var senderFilter = SenderFilterConfig()
    public init() {}
}

/// `[tracker.sender_filter]`: when any field is set, only matching messages produce bounces.
public struct SenderFilterConfig: Sendable, Equatable {
    /// Envelope sender addresses (exact, case-insensitive).
    public var addresses: [String] = []
    /// Envelope sender domains (the domain and its subdomains).
    public var domains: [String] = []
    /// Only messages that carried listmonk's `X-Listmonk-*` headers.
    public var requireListmonkHeaders = false
    /// Whether the filter is active.
    public var isActive: Bool { !addresses.isEmpty || !domains.isEmpty || requireListmonkHeaders }
    public init() {}
}

/// `[classifier]`.
public struct ClassifierConfig: Sendable, Equatable {
    /// The packaged pattern set; when the directory does not exist, the set built into the binary is used.
    public var patternsDir: String = "/usr/share/bouncetail/patterns"
    /// Local rules loaded after the default set (they extend it and replace rules with the same id).
    public var overrideDir: String = "/etc/bouncetail/patterns.d"
    /// Forward sender-fault bounces (spam blocks, our IP listed...) instead of holding them.
    public var forwardSenderFaults = false
    public init() {}
}

/// `[outbox]`.
public struct OutboxConfig: Sendable, Equatable {
    /// Bounces whose log time is older than this are stored but held, not sent.
    public var holdOlderThan: ConfigDuration = .days(30)
    /// Sent rows, dedup keys and finished tracker state are pruned after this age.
    public var retention: ConfigDuration = .days(90)
    /// Reading pauses (loudly) while the state database's file system has less free space than this.
    public var diskLowWatermark: ByteSize = .mebibytes(256)
    public init() {}
}

/// How bouncetail authenticates to listmonk.
public enum ListmonkAuth: String, Sendable, Equatable, CaseIterable {
    /// `Authorization: token user:token` (listmonk API users).
    case token
    /// HTTP Basic.
    case basic
}

/// `[listmonk]`.
public struct ListmonkConfig: Sendable, Equatable {
    /// listmonk's base URL (a sub-path is allowed): `https://lists.example.org` or `https://example.org/listmonk`.
    public var url: String?
    /// The API user (with the `webhooks:post_bounce` permission).
    public var username: String?
    /// Which Authorization header to send.
    public var auth: ListmonkAuth = .token
    /// A file holding the API token (first line). Never put the token itself in this file.
    public var tokenFile: String?
    /// The environment variable that holds the token; it wins over `token_file`.
    public var tokenEnv: String = "BOUNCETAIL_LISTMONK_TOKEN"
    /// A PEM file of extra CA certificates to trust (system trust is always used).
    public var caFile: String?
    /// Connection timeout.
    public var connectTimeout: ConfigDuration = .seconds(10)
    /// Whole-request timeout.
    public var requestTimeout: ConfigDuration = .seconds(30)
    /// Requests in flight at once.
    public var concurrency = 4
    /// Requests per second at most (token bucket).
    public var ratePerSecond: Double = 20
    /// A bounce that could not be delivered for this long goes to the dead letters.
    public var maxAge: ConfigDuration = .days(7)
    public init() {}
}

/// Where bounces go.
public enum SinkKind: String, Sendable, Equatable, CaseIterable {
    /// The local `bounces` table in the state database (the embedded default).
    case sqlite
    /// listmonk's `POST /webhooks/bounce` (needs `[listmonk]`).
    case webhook
    /// JSON Lines to a file or stdout.
    case jsonl
}

/// `[sink]`.
public struct SinkConfig: Sendable, Equatable {
    /// The sink.
    public var kind: SinkKind = .sqlite
    /// True when the file said `kind = "auto"`: `kind` is then `webhook` when `[listmonk] url` is set,
    /// else `sqlite` (the packaged configuration: set the URL and bounces go to listmonk).
    public var automatic = false
    /// For `jsonl`: the file to append to, `-` for stdout.
    public var jsonlPath: String = "-"
    public init() {}
}

/// `[metrics]`.
public struct MetricsConfig: Sendable, Equatable {
    /// Serve `/metrics` and `/healthz`.
    public var enabled = true
    /// `host:port` to listen on (`[::1]:9155` for IPv6). Keep it on loopback unless a firewall protects it.
    public var listen = ListenAddress(host: "127.0.0.1", port: 9155)
    public init() {}
}

/// A `host:port` listen address.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host or IP address (without brackets).
    public var host: String
    /// The TCP port (0 picks a free one).
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`.
    public init?(parsing text: String) {
        let s = text.trimmingWhitespace()
        let host: String
        let portText: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":"), !s[..<colon].contains(":") else { return nil }
            host = String(s[..<colon])
            portText = s[s.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
