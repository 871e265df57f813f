import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension FileSourceFacts {
    /// Where the facts are looked up; tests point these at a directory of their own.
    public struct Places: Sendable {
        public var postfixMainCF = "/etc/postfix/main.cf"
        public var postlog = "/usr/sbin/postlog"
        public var rsyslogDropIns = "/etc/rsyslog.d"
        public init() {}
    }

    /// The marker line the shipped rsyslog drop-in carries (packaging/examples/rsyslog-60-bouncetail-mail.conf).
    public static let rsyslogMarker = "bouncetail-trusted-mail"

    /// Looks at `path` (an existing file) and at what writes it: Postfix's main.cf, postlog(1) and the
    /// queue's public/ directory, rsyslog drop-ins.
    public static func gather(path: String, places: Places = Places()) -> FileSourceFacts {
        let mainCF = (try? String(contentsOfFile: places.postfixMainCF, encoding: .utf8)) ?? ""
        let maillogFile = postfixParameter("maillog_file", in: mainCF)
        let writer: FileSourceTrust.Writer
        if let maillogFile, !maillogFile.isEmpty, maillogFile == path {
            writer = .postlogd
        } else if path.lowercased().contains("exim") {
            writer = .exim
        } else if rsyslogDropInWrites(path, in: places.rsyslogDropIns) {
            writer = .rsyslogTrusted
        } else {
            writer = .syslog
        }
        var facts = FileSourceFacts(path: path, writer: writer)
        if let mode = mode(of: path) { facts.worldWritable = mode & 0o002 != 0 }
        if let mode = mode(of: (path as NSString).deletingLastPathComponent) {
            facts.directoryWorldWritable = mode & 0o002 != 0 && mode & 0o1000 == 0
        }
        if writer == .postlogd {
            facts.postlogSetGID = (mode(of: places.postlog) ?? 0) & 0o2000 != 0
            let queue = postfixParameter("queue_directory", in: mainCF) ?? "/var/spool/postfix"
            facts.postlogSocketOpenToOthers = (mode(of: queue + "/public") ?? 0) & 0o001 != 0
        }
        return facts
    }

    /// The last `name = value` of a main.cf (no `$name` expansion: maillog_file is a plain path).
    static func postfixParameter(_ name: String, in text: String) -> String? {
        var value: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard !line.hasPrefix("#"), !line.hasPrefix(" "), !line.hasPrefix("\t"),
                let eq = line.firstIndex(of: "=")
            else { continue }
            guard line[..<eq].trimmingCharacters(in: .whitespaces) == name else { continue }
            value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return value
    }

    /// Whether a drop-in carrying the marker writes `path`.
    static func rsyslogDropInWrites(_ path: String, in directory: String) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
        for name in names.sorted() where name.hasSuffix(".conf") {
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { continue }
            if text.contains(rsyslogMarker), text.contains("\"\(path)\"") { return true }
        }
        return false
    }

    private static func mode(of path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode
    }
}
