import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT/SIGTERM for batch commands: the first asks the command to stop after committing its current
/// batch; the second exits at once (what is committed is safe; the rest is read again next time).
enum StopSignal {
    private static let flag = Atomic<Int>(0)

    static var requested: Bool { flag.load(ordering: .relaxed) > 0 }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if StopSignal.flag.add(1, ordering: .relaxed).newValue > 1 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
