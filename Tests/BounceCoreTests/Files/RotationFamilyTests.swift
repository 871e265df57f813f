import Testing

@testable import BounceCore

@Suite("Rotation families")
struct RotationFamilyTests {
    @Test(arguments: [
        ("/var/log/mail.log", "/var/log/mail.log", RotatedName.Mark.current, nil as RotatedName.Compression?),
        ("/var/log/mail.log.1", "/var/log/mail.log", .numbered(1), nil),
        ("/var/log/mail.log.12.gz", "/var/log/mail.log", .numbered(12), .gzip),
        ("mail.log-20261120", "mail.log", .dated("20261120"), nil),
        ("mail.log-20261120.gz", "mail.log", .dated("20261120"), .gzip),
        ("mail.log-2026112013.bz2", "mail.log", .dated("2026112013"), .bzip2),
        ("mail.log.2026-11-20.xz", "mail.log", .dated("20261120"), .xz),
        ("mail.log.3.zst", "mail.log", .numbered(3), .zstd),
        ("/var/log/exim4/mainlog.01", "/var/log/exim4/mainlog", .numbered(1), nil),
        ("mail.log.0", "mail.log", .numbered(0), nil),
        ("mail.err", "mail.err", .current, nil),
        ("mail.log.gz", "mail.log", .current, .gzip),
        ("2026-11-20", "2026-11-20", .current, nil),
        ("mail.log.old", "mail.log.old", .current, nil),
    ])
    func namesParse(path: String, key: String, mark: RotatedName.Mark, compression: RotatedName.Compression?) {
        let n = RotatedName(path: path)
        #expect(n.familyKey == key)
        #expect(n.mark == mark)
        #expect(n.compression == compression)
    }

    @Test func numberedFamilyOldestFirst() {
        let families = RotationFamily.group([
            "/l/mail.log", "/l/mail.log.1", "/l/mail.log.10.gz", "/l/mail.log.2.gz", "/l/mail.log.9.gz",
        ])
        #expect(families.count == 1)
        #expect(
            families[0].members.map(\.path) == [
                "/l/mail.log.10.gz", "/l/mail.log.9.gz", "/l/mail.log.2.gz", "/l/mail.log.1", "/l/mail.log",
            ])
    }

    @Test func dateextFamilyOldestFirst() {
        let families = RotationFamily.group([
            "mail.log", "mail.log-20261125", "mail.log-20261101.gz", "mail.log-20261118.gz",
        ])
        #expect(
            families[0].members.map(\.path) == [
                "mail.log-20261101.gz", "mail.log-20261118.gz", "mail.log-20261125", "mail.log",
            ])
    }

    @Test func familiesAreSeparatedByDirectoryAndBase() {
        let families = RotationFamily.group([
            "/a/mail.log.1", "/b/mail.log.1", "/a/mail.log", "/a/mail.err", "/a/mail.log.2.gz", "/a/mail.log.1",
        ])
        #expect(families.map(\.key) == ["/a/mail.err", "/a/mail.log", "/b/mail.log"])
        #expect(families[1].members.map(\.path) == ["/a/mail.log.2.gz", "/a/mail.log.1", "/a/mail.log"])
    }

    @Test func plainBeforeItsCompressedTwin() {
        let f = RotationFamily.group(["x.log.2.gz", "x.log.2", "x.log.3.gz"])
        #expect(f[0].members.map(\.path) == ["x.log.3.gz", "x.log.2", "x.log.2.gz"])
    }

    @Test func mixedSchemesDatedFirstUnlessTimesSaySo() {
        let names = ["m.log.1", "m.log-20261120", "m.log"].map(RotatedName.init(path:))
        #expect(RotationFamily.order(names).map(\.path) == ["m.log-20261120", "m.log.1", "m.log"])
        let times: [String: Int64] = ["m.log.1": 100, "m.log-20261120": 200]
        #expect(
            RotationFamily.order(names, modificationTimes: times).map(\.path) == ["m.log.1", "m.log-20261120", "m.log"])
    }

    @Test func savelogZeroIsNewest() {
        let f = RotationFamily.group(["s.log.0", "s.log.1.gz", "s.log"])
        #expect(f[0].members.map(\.path) == ["s.log.1.gz", "s.log.0", "s.log"])
    }
}
