import Foundation
import Testing

@testable import BounceDaemon

/// `check-config`'s judgement of who can write into a file source.
@Suite struct FileSourceTrustTests {
    private func warnings(_ facts: FileSourceFacts) -> [String] {
        FileSourceTrust.assess(facts).filter(\.warning).map(\.text)
    }

    @Test func aSyslogFedFileIsOneAnyLocalUserCanWriteInto() {
        let found = warnings(FileSourceFacts(path: "/var/log/mail.log", writer: .syslog))
        #expect(found.count == 1)
        #expect(found.first?.contains("any local user can write to") == true)
        #expect(found.first?.contains("rsyslog-60-bouncetail-mail.conf") == true)
    }

    @Test func postlogdIsClosedOnDebiansPermissionsAndOpenWhenPostlogIsSetGID() {
        let debian = FileSourceFacts(path: "/var/log/postfix.log", writer: .postlogd)
        #expect(warnings(debian).isEmpty)
        #expect(FileSourceTrust.assess(debian).first?.text.contains("postlog is not set-gid") == true)
        var upstream = debian
        upstream.postlogSetGID = true
        #expect(warnings(upstream).count == 1)
        #expect(warnings(upstream).first?.contains("postlog -t postfix/smtp") == true)
        var openPublic = debian
        openPublic.postlogSocketOpenToOthers = true
        #expect(warnings(openPublic).first?.contains("public/postlog") == true)
    }

    @Test func eximsMainlogAndTheDropInFileAreNotWarnedAboutUnlessWritableByOthers() {
        #expect(warnings(FileSourceFacts(path: "/var/log/exim4/mainlog", writer: .exim)).isEmpty)
        #expect(warnings(FileSourceFacts(path: "/var/log/bouncetail-mail.log", writer: .rsyslogTrusted)).isEmpty)
        var open = FileSourceFacts(path: "/var/log/exim4/mainlog", writer: .exim)
        open.worldWritable = true
        #expect(warnings(open) == ["any local user can write this file (mode o+w); chmod o-w it"])
        var dir = FileSourceFacts(path: "/tmp/mainlog", writer: .exim)
        dir.directoryWorldWritable = true
        #expect(warnings(dir).first?.contains("can replace this file") == true)
    }

    /// A scratch /etc: main.cf, postlog, the queue's public/, rsyslog.d.
    private func scratch() throws -> (String, FileSourceFacts.Places) {
        let root = NSTemporaryDirectory() + "bt-file-trust-\(UUID().uuidString)"
        let fm = FileManager.default
        for d in ["etc/postfix", "spool/public", "rsyslog.d", "log"] {
            try fm.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true)
        }
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(root)/log")
        var places = FileSourceFacts.Places()
        places.postfixMainCF = "\(root)/etc/postfix/main.cf"
        places.postlog = "\(root)/postlog"
        places.rsyslogDropIns = "\(root)/rsyslog.d"
        try """
        # maillog_file = /nowhere
        queue_directory = \(root)/spool
        maillog_file = /var/log/old.log
        maillog_file = \(root)/log/postfix.log
        """.write(toFile: places.postfixMainCF, atomically: true, encoding: .utf8)
        #expect(fm.createFile(atPath: places.postlog, contents: Data(), attributes: [.posixPermissions: 0o755]))
        try fm.setAttributes([.posixPermissions: 0o2710], ofItemAtPath: "\(root)/spool/public")
        for f in ["postfix.log", "mail.log", "trusted.log"] {
            #expect(fm.createFile(atPath: "\(root)/log/\(f)", contents: Data(), attributes: [.posixPermissions: 0o640]))
        }
        try """
        # \(FileSourceFacts.rsyslogMarker)
        if $syslogfacility-text == 'mail' and $!uid == '0' then {
            action(type="omfile" file="\(root)/log/trusted.log")
        }
        """.write(toFile: "\(root)/rsyslog.d/60-bouncetail-mail.conf", atomically: true, encoding: .utf8)
        return (root, places)
    }

    @Test func theFactsComeFromMainCFPostlogPublicAndTheDropIns() throws {
        let (root, places) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let maillog = FileSourceFacts.gather(path: "\(root)/log/postfix.log", places: places)
        #expect(maillog.writer == .postlogd)
        #expect(!maillog.postlogSetGID && !maillog.postlogSocketOpenToOthers)
        #expect(!maillog.worldWritable && !maillog.directoryWorldWritable)
        #expect(FileSourceFacts.gather(path: "\(root)/log/mail.log", places: places).writer == .syslog)
        #expect(FileSourceFacts.gather(path: "\(root)/log/trusted.log", places: places).writer == .rsyslogTrusted)
        #expect(FileSourceFacts.gather(path: "/var/log/exim4/mainlog", places: places).writer == .exim)

        // Upstream's set-gid postlog and a public/ others can search are seen.
        try FileManager.default.setAttributes([.posixPermissions: 0o2755], ofItemAtPath: places.postlog)
        try FileManager.default.setAttributes([.posixPermissions: 0o2711], ofItemAtPath: "\(root)/spool/public")
        let opened = FileSourceFacts.gather(path: "\(root)/log/postfix.log", places: places)
        #expect(opened.postlogSetGID && opened.postlogSocketOpenToOthers)

        // A file others can write, in a directory others can write (not sticky).
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: "\(root)/log/mail.log")
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: "\(root)/log")
        let loose = FileSourceFacts.gather(path: "\(root)/log/mail.log", places: places)
        #expect(loose.worldWritable && loose.directoryWorldWritable)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: "\(root)/log")
        #expect(!FileSourceFacts.gather(path: "\(root)/log/mail.log", places: places).directoryWorldWritable)
    }

    @Test func mainCFParametersAreReadLastOneWinningAndCommentsIgnored() {
        let text = "#maillog_file = /a\nmaillog_file=/b\n  maillog_file = /continuation\nmaillog_file = /c \n"
        #expect(FileSourceFacts.postfixParameter("maillog_file", in: text) == "/c")
        #expect(FileSourceFacts.postfixParameter("queue_directory", in: text) == nil)
    }
}
