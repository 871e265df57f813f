import Testing

@testable import BounceCore

/// The rotation decision, case by case. `old` is the file whose position was stored; `new` is other content.
@Suite("File change decision")
struct FileChangeTests {
    static let old = FileIdentityTests.log(100, tag: "old")
    static let new = FileIdentityTests.log(100, tag: "new")
    static let stored = FilePosition(identity: FileIdentity(head: old, device: 1, inode: 10), offset: 2000)

    static func snap(_ content: [UInt8], inode: UInt64, size: Int64? = nil, compressed: Bool = false) -> FileSnapshot {
        FileSnapshot(
            device: 1, inode: inode, size: compressed ? nil : (size ?? Int64(content.count)),
            head: Array(content.prefix(FileIdentity.fullLength)))
    }
    static func decide(_ current: FileSnapshot?, _ candidates: [RotatedCandidate] = []) -> FileChange {
        FileChange.decide(stored: stored, current: current, candidates: candidates)
    }

    @Test func sameFileNoNewBytesIsUnchanged() {
        #expect(Self.decide(Self.snap(Self.old, inode: 10, size: 2000)) == .unchanged)
    }

    @Test func sameFileMoreBytesGrew() {
        #expect(Self.decide(Self.snap(Self.old, inode: 10, size: 2500)) == .grew(bytes: 500))
    }

    @Test func sameContentUnderNewInodeIsStillTheSameFile() {
        // A copy put in place (`cp -p`): content decides, not the inode.
        #expect(Self.decide(Self.snap(Self.old, inode: 99, size: 2100)) == .grew(bytes: 100))
    }

    @Test func compressedSameFileHasUnknownGrowth() {
        #expect(Self.decide(Self.snap(Self.old, inode: 10, compressed: true)) == .grew(bytes: nil))
    }

    @Test func sameInodeNewContentIsCopytruncateRecoveredFromCopy() {
        let copy = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.old, inode: 11, size: 2600))
        #expect(Self.decide(Self.snap(Self.new, inode: 10, size: 300), [copy]) == .truncated(recovery: "mail.log.1"))
    }

    @Test func copytruncateWithoutCopyIsAGap() {
        let unrelated = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.new, inode: 11))
        #expect(Self.decide(Self.snap(Self.new, inode: 10, size: 300), [unrelated]) == .truncated(recovery: nil))
    }

    @Test func copytruncateWhoseCopyIsShorterThanTheOffsetCannotRecover() {
        let short = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.old, inode: 11, size: 1500))
        #expect(Self.decide(Self.snap(Self.new, inode: 10, size: 300), [short]) == .truncated(recovery: nil))
    }

    @Test func copytruncateRecoversFromACompressedCopy() {
        let gz = RotatedCandidate(path: "mail.log.1.gz", snapshot: Self.snap(Self.old, inode: 12, compressed: true))
        #expect(Self.decide(Self.snap(Self.new, inode: 10, size: 50), [gz]) == .truncated(recovery: "mail.log.1.gz"))
    }

    @Test func truncatedToEmptyIsTruncation() {
        #expect(Self.decide(Self.snap([], inode: 10, size: 0)) == .truncated(recovery: nil))
    }

    @Test func cutBelowOffsetWithSamePrefixIsTruncation() {
        let copy = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.old, inode: 11, size: 2600))
        let current = Self.snap(Self.old, inode: 10, size: 1500)
        // The current file matches by content too, but it cannot be its own copy.
        #expect(Self.decide(current, [copy]) == .truncated(recovery: "mail.log.1"))
        #expect(Self.decide(current) == .truncated(recovery: nil))
    }

    @Test func renamedAndRecreatedIsRotated() {
        let moved = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.old, inode: 10, size: 2600))
        #expect(Self.decide(Self.snap(Self.new, inode: 20), [moved]) == .rotated(to: "mail.log.1", newFileAtPath: true))
    }

    @Test func renamedNotYetRecreatedIsRotatedWithNothingAtPath() {
        let moved = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.old, inode: 10, size: 2600))
        #expect(Self.decide(nil, [moved]) == .rotated(to: "mail.log.1", newFileAtPath: false))
    }

    @Test func rotatedAndCompressedIsFoundByContent() {
        let gz = RotatedCandidate(path: "mail.log.2.gz", snapshot: Self.snap(Self.old, inode: 30, compressed: true))
        let other = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.new, inode: 31))
        #expect(
            Self.decide(Self.snap(Self.new, inode: 40), [other, gz])
                == .rotated(to: "mail.log.2.gz", newFileAtPath: true))
    }

    @Test func rotationPrefersSameInodeThenPlainOverCompressed() {
        let gz = RotatedCandidate(path: "mail.log.2.gz", snapshot: Self.snap(Self.old, inode: 30, compressed: true))
        let plainCopy = RotatedCandidate(path: "mail.log.2", snapshot: Self.snap(Self.old, inode: 31))
        let renamed = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.old, inode: 10))
        #expect(Self.decide(nil, [gz, plainCopy]) == .rotated(to: "mail.log.2", newFileAtPath: false))
        #expect(Self.decide(nil, [gz, plainCopy, renamed]) == .rotated(to: "mail.log.1", newFileAtPath: false))
    }

    @Test func rotatedCopyShorterThanOffsetIsNotTheFile() {
        // Same first KiB but fewer bytes than were read: not a faithful copy to resume in.
        let short = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.old, inode: 10, size: 1200))
        #expect(Self.decide(Self.snap(Self.new, inode: 20), [short]) == .replaced)
    }

    @Test func differentFileAndOldOneNowhereIsReplaced() {
        #expect(Self.decide(Self.snap(Self.new, inode: 20)) == .replaced)
    }

    @Test func nothingAnywhereIsGone() {
        let unrelated = RotatedCandidate(path: "mail.log.1", snapshot: Self.snap(Self.new, inode: 11))
        #expect(Self.decide(nil, [unrelated]) == .gone)
        #expect(Self.decide(nil) == .gone)
    }

    @Test func provisionalIdentityFollowsTheFileAsItGrows() {
        let early = FilePosition(identity: FileIdentity(head: Self.old[..<200], device: 1, inode: 10), offset: 200)
        let now = Self.snap(Self.old, inode: 10)
        #expect(
            FileChange.decide(stored: early, current: now, candidates: []) == .grew(bytes: Int64(Self.old.count - 200)))
    }

    @Test func identityOfAnEmptyFileFollowsTheInode() {
        let empty = FilePosition(identity: FileIdentity(head: [UInt8](), device: 1, inode: 10), offset: 0)
        #expect(
            FileChange.decide(stored: empty, current: Self.snap(Self.new, inode: 10), candidates: [])
                == .grew(bytes: Int64(Self.new.count)))
        #expect(FileChange.decide(stored: empty, current: Self.snap(Self.new, inode: 11), candidates: []) == .replaced)
    }
}
