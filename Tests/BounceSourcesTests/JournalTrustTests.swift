import Testing

@testable import BounceSources

/// The trust decision on a journal entry's journald-set fields (no journald needed: it is pure).
@Suite("Journal trust")
struct JournalTrustTests {
    /// uids as on the Debian 12 test machine: postfix 104 (any number would do), Debian-exim 105, root 0.
    static let postfix = 104
    static let exim = 105
    static let trust = JournalTrust(
        units: ["postfix.service", "postfix@*.service", "exim4.service"], uids: [postfix, exim, 0])

    @Test("the MTA's own users are admitted by uid, with or without a unit")
    func admittedByUser() {
        #expect(Self.trust.decide(.init(uid: Self.postfix, comm: "smtp")) == .admitted(.user))
        #expect(Self.trust.decide(.init(uid: Self.exim, comm: "exim4")) == .admitted(.user))
        #expect(Self.trust.decide(.init(uid: 0, comm: "local")) == .admitted(.user))
        #expect(
            Self.trust.decide(.init(uid: Self.postfix, comm: "bounce", unit: "postfix@-.service"))
                == .admitted(.unitAndUser))
    }

    @Test("a trusted unit admits, globs included (multi-instance Postfix)")
    func admittedByUnit() {
        #expect(Self.trust.decide(.init(uid: 107, unit: "postfix@-.service")) == .admitted(.unit))
        #expect(Self.trust.decide(.init(uid: 107, unit: "postfix@postfix-out.service")) == .admitted(.unit))
        #expect(Self.trust.decide(.init(unit: "exim4.service")) == .admitted(.unit))
        #expect(Self.trust.decide(.init(unit: "postfix.service")) == .admitted(.unit))
        // Whole-name matches only: neither a longer name nor a user-manager unit of the same name.
        #expect(Self.trust.decide(.init(uid: 1000, unit: "postfix.service.evil")) == .refused(.untrustedSender))
        #expect(Self.trust.decide(.init(uid: 1000, unit: "user@1000.service")) == .refused(.untrustedSender))
        #expect(Self.trust.decide(.init(uid: 1000, unit: "postfix@")) == .refused(.untrustedSender))
    }

    @Test("issue 13's forged entries are refused: logger, a copy named smtp, a chosen exe")
    func forgedRefused() {
        // `logger -p mail.err -t postfix/smtp` from a login session: identifier and facility are the
        // sender's choice and are not even looked at; uid and unit give it away.
        let logger = JournalProvenance(uid: 1000, comm: "logger", exe: "/usr/bin/logger", unit: "session-3.scope")
        #expect(Self.trust.decide(logger) == .refused(.untrustedSender))
        // A copy of logger named smtp in a Postfix-looking path: comm and exe are the sender's choice too.
        let renamed = JournalProvenance(uid: 65534, comm: "smtp", exe: "/tmp/x/usr/lib/postfix/sbin/smtp")
        #expect(Self.trust.decide(renamed) == .refused(.untrustedSender))
        // No trusted field at all (a journal file written by systemd-journal-remote from bare input).
        #expect(Self.trust.decide(JournalProvenance()) == .refused(.untrustedSender))
    }

    @Test("commands and executables narrow what is admitted, and never admit")
    func narrowing() {
        var narrowed = Self.trust
        narrowed.commands = ["smtp", "lmtp", "local", "virtual", "pipe", "bounce", "qmgr", "cleanup", "exim*"]
        narrowed.executables = ["/usr/lib/postfix/sbin/*", "/usr/sbin/exim4"]
        #expect(
            narrowed.decide(.init(uid: Self.postfix, comm: "smtp", exe: "/usr/lib/postfix/sbin/smtp"))
                == .admitted(.user))
        #expect(narrowed.decide(.init(uid: Self.exim, comm: "exim4", exe: "/usr/sbin/exim4")) == .admitted(.user))
        // A trusted user running something else (a cron job as postfix) is narrowed away...
        #expect(
            narrowed.decide(.init(uid: Self.postfix, comm: "logger", exe: "/usr/bin/logger")) == .refused(.command))
        #expect(
            narrowed.decide(.init(uid: Self.postfix, comm: "smtp", exe: "/home/postfix/smtp"))
                == .refused(.executable))
        // ...an absent field does not pass a narrowing...
        #expect(narrowed.decide(.init(uid: Self.postfix, exe: "/usr/lib/postfix/sbin/smtp")) == .refused(.command))
        // ...and a matching name from an untrusted sender is still refused.
        #expect(
            narrowed.decide(.init(uid: 1000, comm: "smtp", exe: "/usr/lib/postfix/sbin/smtp"))
                == .refused(.untrustedSender))
    }

    @Test("unit-and-user refuses a user's .forward command running inside the MTA's unit")
    func unitAndUser() {
        var strict = Self.trust
        strict.rule = .unitAndUser
        #expect(strict.decide(.init(uid: Self.postfix, unit: "postfix@-.service")) == .admitted(.unitAndUser))
        // local(8) runs a .forward command as the recipient, inside postfix@-.service.
        #expect(
            strict.decide(.init(uid: 1000, comm: "logger", unit: "postfix@-.service")) == .refused(.unitWithoutUser))
        #expect(strict.decide(.init(uid: Self.postfix, comm: "smtp")) == .refused(.userWithoutUnit))
        #expect(
            Self.trust.decide(.init(uid: 1000, comm: "logger", unit: "postfix@-.service")) == .refused(.loginUserInUnit)
        )
    }

    @Test("a unit never vouches for a login user's uid: a .forward command logging inside the MTA's unit")
    func forwardCommandInUnit() {
        // local(8) runs `|logger -p mail.err -t postfix/smtp ...` from ~/.forward as the recipient, in
        // postfix@-.service; Exim does the same in exim4.service.
        for uid in [1000, 1001, 60000, 65534] {
            #expect(
                Self.trust.decide(.init(uid: uid, comm: "logger", unit: "postfix@-.service"))
                    == .refused(.loginUserInUnit))
            #expect(Self.trust.decide(.init(uid: uid, unit: "exim4.service")) == .refused(.loginUserInUnit))
        }
        // A system uid other than the listed ones (another machine's postfix in a remote journal) and
        // an entry without a uid (journal-remote input) are still vouched for by the unit.
        #expect(Self.trust.decide(.init(uid: 999, unit: "postfix@-.service")) == .admitted(.unit))
        #expect(Self.trust.decide(.init(unit: "postfix@-.service")) == .admitted(.unit))
        // Listing the uid admits it, as configured.
        var listed = Self.trust
        listed.uids.insert(1000)
        #expect(listed.decide(.init(uid: 1000, unit: "postfix@-.service")) == .admitted(.unitAndUser))
        // Its floor follows the configuration's first login uid.
        var higher = Self.trust
        higher.firstLoginUID = 5000
        #expect(higher.decide(.init(uid: 1000, unit: "postfix@-.service")) == .admitted(.unit))
    }

    @Test("no units and no users trust nothing")
    func empty() {
        let nothing = JournalTrust(units: [], uids: [])
        #expect(nothing.decide(.init(uid: 0, comm: "master", unit: "postfix.service")) == .refused(.untrustedSender))
    }

    @Test(
        "glob: * is any run (slashes too), ? one byte, the whole name must match",
        arguments: [
            ("postfix@*.service", "postfix@-.service", true),
            ("postfix@*.service", "postfix@.service", true),
            ("postfix@*.service", "postfix@a.b.service", true),
            ("postfix@*.service", "postfix.service", false),
            ("postfix@*.service", "postfix@-.service.d", false),
            ("exim4.service", "exim4.service", true),
            ("exim4.service", "exim4xservice", false),
            ("exim?.service", "exim4.service", true),
            ("exim?.service", "exim.service", false),
            ("/usr/lib/postfix/sbin/*", "/usr/lib/postfix/sbin/smtp", true),
            ("/usr/lib/postfix/sbin/*", "/usr/lib/postfix/sbinx/smtp", false),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
        ])
    func glob(pattern: String, text: String, expected: Bool) {
        #expect(JournalTrust.glob(pattern, matches: text) == expected)
    }

    @Test("a hostile pattern-like name does not make matching blow up")
    func globLinear() {
        let text = String(repeating: "a", count: 4000) + "b"
        #expect(!JournalTrust.glob("*a*a*a*a*a*a*a*a*c", matches: text))
    }

    @Test("the warning's sender text escapes control characters a process may put in its name")
    func provenanceText() {
        #expect(JournalProvenance(uid: 65534, comm: "smtp").description == "uid=65534 comm=smtp unit=-")
        #expect(JournalProvenance(comm: "a\nb c").description == #"uid=- comm=a\x0ab\x20c unit=-"#)
    }
}
