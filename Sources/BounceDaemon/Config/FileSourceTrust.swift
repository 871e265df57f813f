/// Who can write into a file source, for `check-config`: a log file any local user can write a
/// `postfix/smtp ... status=bounced` line into turns forged lines into real bounces.
///
/// The judgement is pure (``assess(_:)``); ``FileSourceFacts`` holds what was found on disk.
public enum FileSourceTrust {
    /// How a file gets its lines, as far as the facts tell.
    public enum Writer: Sendable, Equatable {
        /// Postfix's own `maillog_file`, written by postlogd.
        case postlogd
        /// Exim's own mainlog (a path naming Exim).
        case exim
        /// rsyslog writes it through the bouncetail drop-in that keeps only the MTA's users' lines.
        case rsyslogTrusted
        /// Anything else: assumed to be fed by syslog (`/var/log/mail.log`).
        case syslog
    }

    /// One finding: a warning (anyone may write here) or a note (what the source proves).
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var warning: Bool
        public var text: String
        public var description: String { (warning ? "warning: " : "") + text }
    }

    /// What `check-config` says about one file.
    public static func assess(_ facts: FileSourceFacts) -> [Finding] {
        var findings: [Finding] = []
        if facts.worldWritable {
            findings.append(
                Finding(warning: true, text: "any local user can write this file (mode o+w); chmod o-w it"))
        }
        if facts.directoryWorldWritable {
            findings.append(
                Finding(
                    warning: true,
                    text: "any local user can replace this file: its directory is writable by others without the "
                        + "sticky bit"))
        }
        switch facts.writer {
        case .postlogd:
            if facts.postlogSetGID {
                findings.append(
                    Finding(
                        warning: true,
                        text: "postlog(1) is set-gid postdrop (upstream's default since 3.7): any local user can "
                            + "write a line here with `postlog -t postfix/smtp ...`; chmod g-s /usr/sbin/postlog "
                            + "(Debian 12 ships it without), or read the journal with its trust check instead"))
            }
            if facts.postlogSocketOpenToOthers {
                findings.append(
                    Finding(
                        warning: true,
                        text: "Postfix's public/postlog socket is reachable by any local user (public/ is "
                            + "searchable by others); restore the queue directory's permissions "
                            + "(postfix set-permissions)"))
            }
            if !facts.postlogSetGID, !facts.postlogSocketOpenToOthers, !facts.worldWritable,
                !facts.directoryWorldWritable
            {
                findings.append(
                    Finding(
                        warning: false,
                        text: "written by Postfix's postlogd: postlog is not set-gid and public/ is closed to others, "
                            + "so only root and the postdrop group can add lines"))
            }
        case .exim:
            if !facts.worldWritable, !facts.directoryWorldWritable {
                findings.append(Finding(warning: false, text: "Exim's own log: only Exim writes it"))
            }
        case .rsyslogTrusted:
            findings.append(
                Finding(
                    warning: false,
                    text: "written by rsyslog through the bouncetail drop-in: only lines whose sender's uid "
                        + "(socket credentials) is the MTA's"))
        case .syslog:
            findings.append(
                Finding(
                    warning: true,
                    text: "fed by syslog, which any local user can write to (`logger -p mail.err -t postfix/smtp "
                        + "...`): a forged line here becomes a bounce. Read the journal (its entries carry the "
                        + "sender's uid and unit, see docs/journald.md), or let rsyslog write a file of the MTA's "
                        + "lines only (packaging/examples/rsyslog-60-bouncetail-mail.conf, docs/files.md) and read that"
                ))
        }
        return findings
    }
}

/// What was found on disk about one file source path.
public struct FileSourceFacts: Sendable, Equatable {
    public var path: String
    public var writer: FileSourceTrust.Writer
    /// The file is writable by others.
    public var worldWritable = false
    /// Its directory is writable by others and not sticky.
    public var directoryWorldWritable = false
    /// `/usr/sbin/postlog` has the set-gid bit (only looked at for ``FileSourceTrust/Writer/postlogd``).
    public var postlogSetGID = false
    /// Others can search `public/` in the Postfix queue directory.
    public var postlogSocketOpenToOthers = false

    public init(path: String, writer: FileSourceTrust.Writer) {
        self.path = path
        self.writer = writer
    }
}
