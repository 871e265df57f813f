import BounceCore

/// One JSON object on one line, for the commands' machine-readable output.
struct JSONLine {
    private var w = JSONWriter(capacity: 256)

    init() { w.objectStart() }

    mutating func field(_ key: StaticString, _ value: String?) { w.field(key, value) }
    mutating func field(_ key: StaticString, _ value: Int?) { w.field(key, value) }
    mutating func field(_ key: StaticString, _ value: Bool) { w.field(key, value) }

    mutating func finish() -> String {
        w.objectEnd()
        return w.string
    }
}
