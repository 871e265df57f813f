import BounceCore

extension EventPipeline {
    /// Feeds every line of `lines`, in order, without copying one: each line is moved out of the array's
    /// storage, borrowed by ``ingest(_:into:)`` and moved back (a `for … in`, or the array's subscript,
    /// copied each ParsedLine: a few hundred bytes and a dozen retains and releases per line). The lines are
    /// the same afterwards; the array is only mutated so that its storage may be borrowed this way, which
    /// costs nothing when the caller holds the only reference to it.
    public func ingest(lines: inout [ParsedLine], into events: inout [BounceEvent]) {
        lines.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            for i in 0..<buf.count {
                let line = (base + i).move()
                ingest(line, into: &events)
                (base + i).initialize(to: line)
            }
        }
    }
}
