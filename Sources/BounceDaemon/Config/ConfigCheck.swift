import BounceSources
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One thing `bouncetail check-config` found beyond the file's own syntax and values.
public struct ConfigFinding: Sendable, Hashable, CustomStringConvertible {
    /// How much it matters.
    public enum Severity: String, Sendable, Hashable {
        /// `run` would fail or deliver nothing: check-config exits non-zero.
        case error
        /// `run` works, but probably not as meant (a log that does not exist yet).
        case warning
        /// Worth knowing, nothing to fix.
        case note
    }

    /// How much it matters.
    public var severity: Severity
    /// The setting it is about (`sources.file[0].paths`, `listmonk.token_file`).
    public var key: String
    /// What was found and what to do.
    public var message: String

    /// Creates a finding.
    public init(_ severity: Severity, _ key: String, _ message: String) {
        self.severity = severity
        self.key = key
        self.message = message
    }

    /// `warning: sources.file[0].paths: ...`.
    public var description: String { "\(severity.rawValue): \(key): \(message)" }
}

/// The checks `check-config` makes against this machine, without side effects: do the logs exist, can
/// the token be read, can the service user write the state directory, is there anything to read.
public enum ConfigCheck {
    /// Everything found, in configuration order.
    /// - Parameters:
    ///   - environment: where `token_env` is looked up.
    ///   - serviceUser: the user `run` runs as under systemd; when this process is root and the user
    ///     exists, the state directory is checked for that user, else (or when nil) for this process.
    public static func findings(
        _ config: BounceTailConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceUser: String? = "bouncetail"
    ) -> [ConfigFinding] {
        var out: [ConfigFinding] = []
        out += sources(config)
        out += token(config, environment: environment)
        out += mailInputs(config, environment: environment)
        let user = getuid() == 0 ? serviceUser.flatMap { ServiceUser(named: $0) } : nil
        out += stateDirectory(config.general.stateDB, user: user)
        if config.listmonk.url != nil, config.sink.kind == .sqlite, !config.sink.automatic {
            out.append(
                ConfigFinding(
                    .warning, "sink.kind",
                    #"[listmonk] url is set, but sink.kind = "sqlite" keeps bounces in the local store; set kind = "webhook" (or "auto") to send them to listmonk"#
                ))
        }
        out += mail(config)
        if let ca = config.listmonk.caFile, !FileManager.default.isReadableFile(atPath: ca) {
            out.append(ConfigFinding(.error, "listmonk.ca_file", "\(ca) does not exist or cannot be read"))
        }
        return out
    }

    /// The forged-mail policy: what `[mail] unmatched` means with and without log sources.
    static func mail(_ config: BounceTailConfig) -> [ConfigFinding] {
        switch (config.hasLogSources, config.mail.unmatched) {
        case (true, .forward):
            return [
                ConfigFinding(
                    .warning, "mail.unmatched",
                    #"is "forward", but log sources are configured: a hard bounce or complaint from mail that names no message the logs show we sent is held anyway (the logs are the proof); remove the key or set "hold""#
                )
            ]
        case (false, .forward):
            return [
                ConfigFinding(
                    .note, "mail.unmatched",
                    "forward: hard bounces and complaints from mail are forwarded unchecked; anyone who can mail the bounce address can mark any subscriber bounced"
                )
            ]
        case (_, .hold):
            // Without log sources `sources` already says that `run` has nothing to read; ingest-mail holds
            // every hard bounce and complaint (docs/mail.md says so).
            return []
        }
    }

    static func sources(_ config: BounceTailConfig) -> [ConfigFinding] {
        var out: [ConfigFinding] = []
        let journal = config.sources.journal
        if config.sources.files.isEmpty && !journal.enabled && !config.mail.hasInputs {
            out.append(
                ConfigFinding(
                    .error, "sources",
                    "nothing to read: `run` refuses to start; configure [[sources.file]] paths, [sources.journal] enabled = true, or a [[mail.maildir]] or [[mail.mailbox]]"
                ))
        }
        for (i, f) in config.sources.files.enumerated() {
            let key = "sources.file[\(i)].paths"
            let absent = SourcePresence.absentPaths(f.paths)
            if !absent.isEmpty {
                out.append(
                    ConfigFinding(
                        f.optional ? .note : .warning, key,
                        SourcePresence.note(absent: absent, optional: f.optional)
                            + (f.optional ? "" : " (`run` waits for it; /healthz says degraded meanwhile)")))
            }
            for path in BackfillPlanner.expand(f.paths).paths where access(path, R_OK) != 0 {
                out.append(
                    ConfigFinding(
                        .warning, key,
                        "\(path) cannot be read by this user (\(String(cString: strerror(errno)))); the service reads it as bouncetail in groups adm and systemd-journal"
                    ))
            }
        }
        if journal.enabled {
            if let dir = journal.directory, !FileManager.default.fileExists(atPath: dir) {
                out.append(ConfigFinding(.warning, "sources.journal.directory", "\(dir) does not exist"))
            }
            for file in journal.files where !FileManager.default.fileExists(atPath: file) {
                out.append(ConfigFinding(.warning, "sources.journal.files", "\(file) does not exist"))
            }
        }
        return out
    }

    static func mailInputs(_ config: BounceTailConfig, environment: [String: String]) -> [ConfigFinding] {
        var out: [ConfigFinding] = []
        for (i, m) in config.mail.maildirs.enumerated() {
            do {
                try Maildir(path: m.path).check()
                let new = (m.path as NSString).appendingPathComponent("new")
                if access(new, R_OK | W_OK | X_OK) != 0 {
                    out.append(
                        ConfigFinding(
                            .error, "mail.maildir[\(i)].path",
                            "\(new) cannot be read and changed by this user (\(String(cString: strerror(errno)))); bouncetail moves or deletes each mail after storing it: give the bouncetail user the mail user's group, or deliver the bounce address into a Maildir bouncetail owns"
                        ))
                }
            } catch {
                out.append(ConfigFinding(.error, "mail.maildir[\(i)].path", error.description))
            }
        }
        for (i, m) in config.mail.mailboxes.enumerated() {
            do {
                _ = try m.resolvePassword(environment: environment)
            } catch {
                out.append(ConfigFinding(.error, "mail.mailbox[\(i)].password_file", error.description))
            }
            if let ca = m.caFile, !FileManager.default.isReadableFile(atPath: ca) {
                out.append(
                    ConfigFinding(
                        .error, "mail.mailbox[\(i)].ca_file",
                        "\(ca) does not exist or cannot be read; it must hold the PEM certificate of the CA that signed the server's"
                    ))
            }
            if m.url.lowercased().hasPrefix("imap://") || m.url.lowercased().hasPrefix("pop3://") {
                out.append(
                    ConfigFinding(
                        .note, "mail.mailbox[\(i)].url",
                        "\(m.url) is read with STARTTLS required: a server that does not offer it is refused (imaps:// and pop3s:// are TLS from the start)"
                    ))
            }
        }
        return out
    }

    static func token(_ config: BounceTailConfig, environment: [String: String]) -> [ConfigFinding] {
        let listmonk = config.listmonk
        let fromEnv = !(environment[listmonk.tokenEnv]?.trimmingWhitespace().isEmpty ?? true)
        if let file = listmonk.tokenFile, fromEnv {
            return [
                ConfigFinding(
                    .note, "listmonk.token_file", "\(listmonk.tokenEnv) is set and wins over \(file), which is not read"
                )
            ]
        }
        do {
            let token = try listmonk.resolveToken(environment: environment)
            if token == nil, config.sink.kind == .webhook {
                return [
                    ConfigFinding(
                        .error, "listmonk.token_file",
                        "no token: set token_file (a file holding the API user's token) or the \(listmonk.tokenEnv) environment variable"
                    )
                ]
            }
        } catch {
            // Without listmonk as the sink the token is not used yet: worth fixing, not failing for.
            let needed = config.sink.kind == .webhook
            return [
                ConfigFinding(
                    needed ? .error : .warning, "listmonk.token_file",
                    "\(error)" + (needed ? "" : " (needed once bounces go to listmonk)"))
            ]
        }
        return []
    }

    static func stateDirectory(_ stateDB: String, user: ServiceUser?) -> [ConfigFinding] {
        let key = "general.state_db"
        let dir = (stateDB as NSString).deletingLastPathComponent
        let who = user.map { "user \($0.name)" } ?? "this user"
        var existing = dir
        while !FileManager.default.fileExists(atPath: existing), existing != "/" {
            existing = (existing as NSString).deletingLastPathComponent
        }
        var out: [ConfigFinding] = []
        if existing != dir {
            out.append(ConfigFinding(.note, key, "\(dir) does not exist yet; it is created at the first write"))
        }
        let target = FileManager.default.fileExists(atPath: stateDB) ? stateDB : existing
        if !writable(target, by: user) {
            // Root checks for the service user, whom the packaged unit runs as. When this process can
            // write it, commands run by hand (backfill, a test rig's own state file) still work: a
            // warning for the unit, not an error.
            let selfCanWrite = user != nil && writable(target, by: nil)
            out.append(
                ConfigFinding(
                    selfCanWrite ? .warning : .error, key,
                    "\(target) is not writable by \(who); the state database needs it (the package's /var/lib/bouncetail is owned by bouncetail)"
                        + (selfCanWrite
                            ? "; commands you run yourself can write it, `run` under the packaged unit cannot" : "")
                ))
        }
        return out
    }

    /// Whether `user` (this process when nil) may write `path`, by its mode bits (root: always).
    static func writable(_ path: String, by user: ServiceUser?) -> Bool {
        guard let user else { return access(path, W_OK) == 0 }
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        if user.uid == 0 { return true }
        if st.st_uid == user.uid { return st.st_mode & S_IWUSR != 0 }
        if user.groups.contains(st.st_gid) { return st.st_mode & S_IWGRP != 0 }
        return st.st_mode & S_IWOTH != 0
    }
}

/// A system user and its groups, as the service would run.
struct ServiceUser: Sendable, Hashable {
    var name: String
    var uid: uid_t
    var groups: [gid_t]
}

extension ServiceUser {
    /// The user from the password database, or nil when it does not exist.
    init?(named name: String) {
        guard let pw = getpwnam(name) else { return nil }
        let uid = pw.pointee.pw_uid
        let gid = pw.pointee.pw_gid
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, gid, &groups, &count)
        }
        self.init(name: name, uid: uid, groups: Array(groups.prefix(Int(max(count, 0)))))
    }
}
