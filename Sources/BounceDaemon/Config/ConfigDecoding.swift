import Foundation

// Reading each section out of its table. Each reader asks for every key the section knows (so the
// schema is what these functions ask for) and keeps the default where a key is absent or bad.

extension BounceTailConfig {
    init(reading root: TableReader) {
        self.init()
        general = GeneralConfig(reading: root.table("general"))
        sources = SourcesConfig(reading: root.table("sources"), general: general)
        tracker = TrackerConfig(reading: root.table("tracker"))
        classifier = ClassifierConfig(reading: root.table("classifier"))
        outbox = OutboxConfig(reading: root.table("outbox"))
        spikeGuard = SpikeGuardConfig(reading: root.table("guard"))
        listmonk = ListmonkConfig(reading: root.table("listmonk"))
        sink = SinkConfig(reading: root.table("sink"), listmonkURLSet: listmonk.url != nil)
        metrics = MetricsConfig(reading: root.table("metrics"))
        mail = MailConfig(reading: root.table("mail"))
        hosts = HostsConfig(reading: root.table("hosts"))
        root.finish()
        validate(root)
    }

    /// Checks that need more than one setting.
    private func validate(_ root: TableReader) {
        let context = root.context
        // A key already reported as wrong is not reported again as missing: one error per mistake.
        let reported = Set(context.issues.compactMap(\.keyPath))
        if sink.kind == .webhook {
            if listmonk.url == nil, !reported.contains("listmonk.url") {
                context.report(
                    .missing, keyPath: "listmonk.url",
                    #"sink.kind = "webhook" needs listmonk's base URL, e.g. url = "https://lists.example.org""#)
            }
            if listmonk.username == nil, !reported.contains("listmonk.username") {
                context.report(
                    .missing, keyPath: "listmonk.username",
                    (sink.automatic ? #"sink.kind = "auto" with listmonk.url set"# : #"sink.kind = "webhook""#)
                        + " needs the listmonk API user that has the webhooks:post_bounce permission")
            }
        }
    }
}

enum ConfigValueCheck {
    static func timeZone(_ name: String) -> Bool {
        name == "local" || TimeZone(identifier: name) != nil
    }

    static let timeZoneHelp = #"use "local", "UTC" or an IANA time zone name such as "Europe/Berlin""#

    static func absolutePath(_ reader: TableReader, _ key: String, _ value: String?) -> String? {
        guard let value else { return nil }
        guard value.hasPrefix("/") else {
            reader.invalid(
                key,
                "\"\(value)\" is not an absolute path; write it from the root, e.g. \"/var/lib/bouncetail/state.db\"")
            return nil
        }
        return value
    }

    static let facilityNames: [String: Int] = [
        "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7, "uucp": 8,
        "cron": 9, "authpriv": 10, "ftp": 11, "local0": 16, "local1": 17, "local2": 18, "local3": 19,
        "local4": 20, "local5": 21, "local6": 22, "local7": 23,
    ]
}

extension GeneralConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.nonEmptyString("host_name") { hostName = v }
        if let v = r.string("time_zone") {
            if ConfigValueCheck.timeZone(v) {
                timeZone = v
            } else {
                r.invalid("time_zone", "unknown time zone \"\(v)\"; \(ConfigValueCheck.timeZoneHelp)")
            }
        }
        if let v = ConfigValueCheck.absolutePath(r, "state_db", r.string("state_db")) { stateDB = v }
        if let v = r.nonEmptyString("source") { source = v }
        if let v = r.choice("log_level", LogLevelSetting.self) { logLevel = v }
        r.finish()
    }
}

extension SourcesConfig {
    init(reading r: TableReader, general: GeneralConfig) {
        self.init()
        files = r.tableArray("file").map { FileSourceConfig(reading: $0) }.compactMap { $0 }
        journal = JournalSourceConfig(reading: r.table("journal"))
        r.finish()
        var seen: [String: Int] = [:]
        for (i, f) in files.enumerated() {
            if let first = seen[f.name] {
                r.context.report(
                    .invalidValue, keyPath: "sources.file[\(i)].name",
                    "\"\(f.name)\" is already the name of sources.file[\(first)]; give each file source its own name")
            }
            seen[f.name] = i
        }
    }
}

extension FileSourceConfig {
    init?(reading r: TableReader) {
        let paths = r.strings("paths")
        let name = r.nonEmptyString("name")
        self.init(paths: paths ?? [], name: name)
        if let v = r.choice("mta", MTASetting.self) { mta = v }
        if let v = r.string("time_zone") {
            if ConfigValueCheck.timeZone(v) {
                timeZone = v
            } else {
                r.invalid("time_zone", "unknown time zone \"\(v)\"; \(ConfigValueCheck.timeZoneHelp)")
            }
        }
        if let v = r.size("max_line_bytes") {
            if v.bytes < 1024 {
                r.invalid("max_line_bytes", "\(v) is too small; allowed: at least 1KiB")
            } else {
                maxLineBytes = v
            }
        }
        if let v = r.choice("start_at", StartPosition.self) { startAt = v }
        if let v = r.bool("optional") { optional = v }
        if let v = r.duration("poll_interval") {
            if v.milliseconds < 100 {
                r.invalid("poll_interval", "\(v) is too short; allowed: at least 100ms")
            } else {
                pollInterval = v
            }
        }
        r.finish()
        guard let paths, !paths.isEmpty else {
            if paths == nil {
                r.missing("paths", #"each [[sources.file]] needs paths = ["/var/log/mail.log"] (paths or globs)"#)
            } else {
                r.invalid("paths", "must list at least one path or glob")
            }
            return nil
        }
        for (i, p) in paths.enumerated() where !p.hasPrefix("/") {
            r.context.report(
                .invalidValue, keyPath: "\(r.keyPath("paths"))[\(i)]", "\"\(p)\" is not an absolute path or glob")
        }
    }
}

extension JournalSourceConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.bool("enabled") { enabled = v }
        directory = ConfigValueCheck.absolutePath(r, "directory", r.string("directory"))
        if let v = r.strings("files") { files = v }
        if let v = r.strings("units") { units = v }
        if let v = r.strings("facilities") {
            let bad = v.filter {
                ConfigValueCheck.facilityNames[$0] == nil && !(Int($0).map { (0...23).contains($0) } ?? false)
            }
            if bad.isEmpty {
                facilities = v
            } else {
                r.invalid(
                    "facilities",
                    "unknown facility \(bad.map { "\"\($0)\"" }.joined(separator: ", ")); use a name (mail, daemon, local0 ... local7, ...) or a number 0 to 23"
                )
            }
        }
        if let v = r.strings("identifiers") { identifiers = v }
        if let v = r.choice("mta", MTASetting.self) { mta = v }
        if let v = r.duration("cursor_overlap") { cursorOverlap = v }
        trust = JournalTrustConfig(reading: r.table("trust"), journalEnabled: enabled)
        r.finish()
        if enabled, units.isEmpty, facilities.isEmpty {
            r.invalid(
                "units",
                "with both units and facilities empty the journal source would match every entry; set at least one")
        }
    }

    /// The facilities as syslog numbers.
    public var facilityNumbers: [Int] {
        facilities.compactMap { ConfigValueCheck.facilityNames[$0] ?? Int($0) }
    }
}

extension TrackerConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.strings("filter_relays") { filterRelays = v }
        if let v = r.duration("deferred_max_age") { deferredMaxAge = v.milliseconds == 0 ? nil : v }
        if let v = r.duration("state_max_age") {
            if v < .hours(1) {
                r.invalid(
                    "state_max_age", "\(v) is too short; allowed: at least 1h (longer than the MTA's queue lifetime)")
            } else {
                stateMaxAge = v
            }
        }
        // Read over the whole integer range so a refusal can say what the cap does, not only its bounds.
        if let v = r.int("state_max_messages", in: Int.min...Int.max) {
            if Self.stateMaxMessagesRange.contains(v) {
                stateMaxMessages = v
            } else {
                r.invalid("state_max_messages", Self.stateMaxMessagesProblem(v))
            }
        }
        senderFilter = SenderFilterConfig(reading: r.table("sender_filter"))
        r.finish()
    }
}

extension SenderFilterConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.strings("addresses") {
            for (i, a) in v.enumerated() where !a.contains("@") {
                r.context.report(
                    .invalidValue, keyPath: "\(r.keyPath("addresses"))[\(i)]",
                    "\"\(a)\" is not an e-mail address; put bare domains in domains")
            }
            addresses = v.map { $0.lowercased() }
        }
        if let v = r.strings("domains") {
            domains = v.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "@.")) }
        }
        if let v = r.bool("require_listmonk_headers") { requireListmonkHeaders = v }
        r.finish()
    }
}

extension ClassifierConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = ConfigValueCheck.absolutePath(r, "patterns_dir", r.string("patterns_dir")) { patternsDir = v }
        if let v = ConfigValueCheck.absolutePath(r, "override_dir", r.string("override_dir")) { overrideDir = v }
        if let v = r.bool("forward_sender_faults") { forwardSenderFaults = v }
        r.finish()
    }
}

extension OutboxConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.duration("hold_older_than") { holdOlderThan = v }
        if let v = r.duration("retention") {
            if v < .days(1) {
                r.invalid(
                    "retention",
                    "\(v) is too short; allowed: at least 1d (dedup keys must outlive restarts and backfills)")
            } else {
                retention = v
            }
        }
        if let v = r.size("disk_low_watermark") { diskLowWatermark = v }
        r.finish()
    }
}

extension ListmonkConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.string("url") {
            if let u = URL(string: v), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https",
                u.host != nil
            {
                url = v
            } else {
                r.invalid(
                    "url",
                    "\"\(v)\" is not an http:// or https:// URL; write the scheme too, e.g. \"https://\(v.contains("://") ? "lists.example.org" : v)\""
                )
            }
        }
        username = r.nonEmptyString("username")
        if let v = r.choice("auth", ListmonkAuth.self) { auth = v }
        tokenFile = ConfigValueCheck.absolutePath(r, "token_file", r.string("token_file"))
        if let v = r.nonEmptyString("token_env") { tokenEnv = v }
        caFile = ConfigValueCheck.absolutePath(r, "ca_file", r.string("ca_file"))
        if let v = r.duration("connect_timeout") { connectTimeout = v }
        if let v = r.duration("request_timeout") { requestTimeout = v }
        if let v = r.int("concurrency", in: 1...64) { concurrency = v }
        if let v = r.double("rate_per_second", greaterThan: 0, atMost: 10_000) { ratePerSecond = v }
        if let v = r.duration("max_age") { maxAge = v }
        r.reject(
            "token",
            "the token is a secret and is not read from this file; put it in token_file (mode 0600) or the \(tokenEnv) environment variable"
        )
        r.finish()
    }
}

extension SinkConfig {
    init(reading r: TableReader, listmonkURLSet: Bool) {
        self.init()
        if let v = r.string("kind") {
            if v == "auto" {
                kind = listmonkURLSet ? .webhook : .sqlite
                automatic = true
            } else if let k = SinkKind(rawValue: v) {
                kind = k
            } else {
                let allowed = (SinkKind.allCases.map(\.rawValue) + ["auto"]).map { "\"\($0)\"" }
                r.invalid("kind", "\"\(v)\" is not allowed; use one of: \(allowed.joined(separator: ", "))")
            }
        }
        if let v = r.nonEmptyString("jsonl_path") {
            if v == "-" || v.hasPrefix("/") {
                jsonlPath = v
            } else {
                r.invalid("jsonl_path", "\"\(v)\" is neither \"-\" (stdout) nor an absolute path")
            }
        }
        r.finish()
    }
}

extension MetricsConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.bool("enabled") { enabled = v }
        if let v = r.string("listen") {
            if let a = ListenAddress(parsing: v) {
                listen = a
            } else {
                r.invalid("listen", "\"\(v)\" is not host:port; use e.g. \"127.0.0.1:9155\" or \"[::1]:9155\"")
            }
        }
        r.finish()
    }
}
