import Testing

@testable import BounceCore

@Suite("File identity")
struct FileIdentityTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func log(_ n: Int, tag: String = "a") -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<n { out += bytes("Nov 26 10:00:00 mx postfix/smtp[1]: \(tag) line \(i)\n") }
        return out
    }

    @Test func fnvMatchesPublishedVectors() {
        // Reference values of FNV-1a 64 from its authors' test suite.
        #expect(Fingerprint.hash([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(Fingerprint.hash(Self.bytes("a")) == 0xaf63_dc4c_8601_ec8c)
        #expect(Fingerprint.hash(Self.bytes("foobar")) == 0x8594_4171_f739_67e8)
    }

    @Test func incrementalHashEqualsOneShot() {
        let data = Self.log(40)
        var f = Fingerprint()
        f.update(data[..<100])
        f.update(data[100...])
        #expect(f.value == Fingerprint.hash(data))
    }

    @Test func identityCoversFirstKiBOnly() {
        let a = Self.log(100)
        var b = a
        b[2000] = UInt8(ascii: "#")
        #expect(FileIdentity(head: a) == FileIdentity(head: b))
        #expect(FileIdentity(head: a).length == FileIdentity.fullLength)
        #expect(!FileIdentity(head: a).isProvisional)
    }

    @Test func shortFileIsProvisionalAndMatchesItsLongerSelf() {
        let full = Self.log(100)
        let early = FileIdentity(head: full[..<300])
        #expect(early.isProvisional)
        #expect(early.length == 300)
        #expect(early.matches(head: full))
        #expect(!early.matches(head: full[..<299]))
        var changed = full
        changed[10] ^= 1
        #expect(!early.matches(head: changed))
    }

    @Test func emptyIdentityMatchesOnlyByInode() {
        let empty = FileIdentity(head: [UInt8](), device: 1, inode: 7)
        #expect(!empty.matches(head: Self.log(3)))
        #expect(FileSnapshot(device: 1, inode: 7, size: 0, head: []).isSameFile(as: empty))
        #expect(!FileSnapshot(device: 1, inode: 8, size: 0, head: []).isSameFile(as: empty))
    }

    @Test func bestMatchPrefersLongestIdentityThenFurthestOffset() {
        let content = Self.log(100)
        let provisional = FilePosition(identity: FileIdentity(head: content[..<200]), offset: 150)
        let full = FilePosition(identity: FileIdentity(head: content), offset: 3000)
        let other = FilePosition(identity: FileIdentity(head: Self.log(100, tag: "b")), offset: 9)
        #expect(FilePosition.bestMatch(in: [provisional, full, other], head: content[..<1024]) == full)
        #expect(FilePosition.bestMatch(in: [provisional, other], head: content[..<1024]) == provisional)
        #expect(FilePosition.bestMatch(in: [other], head: content[..<1024]) == nil)
        // The head is shorter than the full identity: only the provisional one can be judged.
        #expect(FilePosition.bestMatch(in: [provisional, full], head: content[..<500]) == provisional)
    }

    @Test func descriptionIsStable() {
        let id = FileIdentity(fingerprint: 0xab, length: 12, device: 8, inode: 9)
        #expect(id.description == "fp=00000000000000ab/12 ino=8:9")
        #expect(
            FilePosition(identity: id, offset: 5, isComplete: true).description
                == "fp=00000000000000ab/12 ino=8:9 @ 5 complete")
    }
}
