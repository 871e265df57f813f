import BounceCore
import Testing

@testable import BounceClassifier

/// The memo keyed by the evidence as given (in front of the one keyed by what the rules see) and the
/// literal search: faster paths that must answer exactly as the plain ones.
@Suite struct ClassifierMemoTests {
    /// The second time the same evidence comes, it is answered from the evidence memo (a hit, no new entry in
    /// the normalised memo), with the uncached answer.
    @Test func evidenceAskedAgainIsAHitWithTheSameAnswer() throws {
        let c = Classifier(set: try defaultSet(), cacheCapacity: 8)
        let e = failure("550 5.1.1 <x@example.org>: user unknown 22dbc496cb", dsn: "5.1.1", stage: .rcpt)
        let first = c.classify(e)
        let before = c.cacheStats
        #expect(before.misses == 1 && before.hits == 0)
        let again = c.classify(e)
        let after = c.cacheStats
        #expect(again == first && again == c.classifyUncached(e))
        #expect(after.hits == 1 && after.misses == 1 && after.count == before.count)
        // Another id that normalises alike: a miss of the evidence memo, a hit of the normalised one.
        let other = failure("550 5.1.1 <y@example.org>: user unknown 9f8e7d6c5b", dsn: "5.1.1", stage: .rcpt)
        #expect(c.classify(other) == c.classifyUncached(other))
        #expect(c.cacheStats.hits == 2 && c.cacheStats.misses == 1)
        // Many distinct evidences: both memos stay bounded, answers stay right.
        for i in 0..<100 {
            let e = failure("452 4.2.2 mailbox full, id \(i)x\(i * 7919)", dsn: "4.2.2", status: .deferred)
            #expect(c.classify(e) == c.classifyUncached(e))
        }
        #expect(c.cacheStats.count <= 16)
    }

    /// The memchr search finds exactly what a byte-by-byte search finds, at every start.
    @Test func literalSearchAgreesWithTheNaiveSearch() {
        func naive(_ hay: [UInt8], _ needle: [UInt8], _ start: Int) -> Int? {
            guard !needle.isEmpty else { return start }
            var i = start
            while i + needle.count <= hay.count {
                if Array(hay[i..<(i + needle.count)]) == needle { return i + needle.count }
                i += 1
            }
            return nil
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ab a".utf8)
        for _ in 0..<2_000 {
            let hay = (0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let needle = (0..<Int.random(in: 0...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            for start in 0...hay.count {
                #expect(TextMatch.find(hay, needle, from: start) == naive(hay, needle, start))
            }
        }
        #expect(
            TextMatch.wordsInOrder(Array("user is unknown here".utf8), [Array("user".utf8), Array("unknown".utf8)]))
        #expect(!TextMatch.wordsInOrder(Array("unknown user".utf8), [Array("user".utf8), Array("unknown".utf8)]))
    }
}
