import BounceCore
import Testing

@testable import BounceSources

@Suite("Journal values")
struct JournalValueTests {
    @Test("identifier patterns: prefixes, and * for one path component")
    func identifierPatterns() {
        let filter = JournalIdentifierFilter(patterns: JournalSelection.mail.identifiers)
        #expect(filter.accepts("postfix/smtp"))
        #expect(filter.accepts("postfix/relay/smtp"))
        #expect(filter.accepts("postfix-out/smtp"))
        #expect(filter.accepts("postfix-incoming/smtpd"))
        #expect(filter.accepts("exim"))
        #expect(filter.accepts("exim4"))
        #expect(!filter.accepts("postfix"))  // no slash: the wrapper script, not a daemon
        #expect(!filter.accepts("postfix-/smtp"))  // `*` needs at least one character
        #expect(!filter.accepts("dovecot"))
        #expect(!filter.accepts("sshd"))
        #expect(!filter.accepts(nil))
        #expect(!filter.accepts(""))
    }

    @Test("an empty identifier filter keeps everything, even entries without an identifier")
    func emptyFilter() {
        let filter = JournalIdentifierFilter(patterns: [])
        #expect(filter.acceptsEverything)
        #expect(filter.accepts(nil))
        #expect(filter.accepts("anything"))
    }

    @Test("a star in the middle of a pattern does not cross a slash")
    func starStopsAtSlash() {
        let filter = JournalIdentifierFilter(patterns: ["a*/b"])
        #expect(filter.accepts("ax/b"))
        #expect(filter.accepts("axyz/bc"))
        #expect(!filter.accepts("ax/y/b"))
        #expect(!filter.accepts("a/b"))
    }

    @Test("the realtime timestamp is recovered from a cursor's t= field")
    func cursorRealtime() {
        let cursor =
            "s=9905f4558d85498ca806f101d9092f60;i=3;b=0123456789abcdef0123456789abcdef;m=3ea;t=64480d62c6bd0;x=e3ad1f0a092706df"
        let position = JournalPosition(cursor: cursor)
        #expect(position?.realtime == LogTime(microseconds: 0x6_4480_d62c_6bd0))
        #expect(JournalPosition(cursor: "s=1;i=2") == nil)
        #expect(JournalPosition(cursor: "t=zz") == nil)
        #expect(JournalPosition(cursor: "t=ffffffffffffffffff") == nil)
    }

    @Test("the selection turns units, facilities and extra matches into exact sd-journal matches")
    func selectionMatches() {
        let selection = JournalSelection(
            units: ["postfix@-.service"], facilities: [2], extraMatches: ["SYSLOG_IDENTIFIER=exim"])
        #expect(
            selection.matches == ["_SYSTEMD_UNIT=postfix@-.service", "SYSLOG_FACILITY=2", "SYSLOG_IDENTIFIER=exim"])
        #expect(JournalSelection.everything.matches.isEmpty)
    }

    @Test("the fallback report says the cursor was not found and how far back reading resumed")
    func fallbackReport() {
        let position = JournalPosition(cursor: "s=x;t=1", realtime: LogTime(seconds: 1_795_687_200))
        let report = JournalStartReport.cursorNotFound(
            position, resumedFrom: LogTime(seconds: 1_795_686_900), overlapMicroseconds: 300_000_000)
        #expect(report.isFallback)
        #expect(report.description.contains("cursor not found"))
        #expect(report.description.contains("2026-11-26T10:00:00.000000Z minus overlap 300s"))
        #expect(report.description.contains("duplicates are dropped by the dedup key"))
        #expect(!JournalStartReport.tail.isFallback)
    }

    @Test("journal errors name the operation and suggest the journal group for permission errors")
    func errorText() {
        let error = JournalError.sd("open journal directory /var/log/journal", -13)
        #expect(error.code == 13)
        #expect(error.description.contains("open journal directory /var/log/journal failed"))
        #expect(error.description.contains("systemd-journal"))
    }
}
