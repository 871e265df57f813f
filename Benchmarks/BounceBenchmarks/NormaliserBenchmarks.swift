import Benchmark
import BounceClassifier

/// The text normaliser on the classifier's hot path: ASCII replies (nearly all of them) must cost what
/// they cost before non-ASCII folding existed; folded replies pay for NFKD/NFC once per distinct text.
/// Compare the two results' wall clock: the ratio is the price of a non-English reply.
func normaliserBenchmarks() {
    let ascii = (0..<1_000).map {
        "host mx\($0).example.org[192.0.2.\($0 % 250)] said: 550 5.1.1 <user\($0)@example.org>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)"
    }
    let folded = (0..<1_000).map {
        "host mx\($0).example.fr[192.0.2.\($0 % 250)] said: 552 5.1.1 Boîte du destinataire pleine. Utilisateur n°\($0) (in reply to RCPT TO command)"
    }
    for (name, texts) in [("ASCII", ascii), ("non-ASCII (folded)", folded)] {
        Benchmark(
            "TextNormalizer.normalize: 1000 \(name) replies",
            configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .one)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                var bytes = 0
                for t in texts { bytes &+= TextNormalizer.normalize(t).utf8.count }
                blackHole(bytes)
            }
        }
    }
}
