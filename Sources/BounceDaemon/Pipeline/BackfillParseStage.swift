import BounceClassifier
import BounceCore
import BounceSources
import Foundation

/// One batch of a backfill, read and parsed: the records of its lines and the position to commit once
/// they are processed.
struct ParsedFileBatch: Sendable {
    /// The file the lines came from.
    var path: String
    /// The position after the last line: commit it with what the lines produced.
    var position: FilePosition
    /// The lines' records, in file order (the pattern set's extra line formats already tried).
    var parsed: ParsedLines
    /// ``parsed``'s lines.
    var lines: [ParsedLine] { parsed.lines }
    /// How many lines the built-in parsers recognised as Postfix or Exim lines.
    var mailLines: Int
    /// What the reader had done when it handed this batch out.
    var totals: BackfillReadTotals
}

/// The reader's running totals, as of one batch.
struct BackfillReadTotals: Sendable {
    var lines = 0
    var bytes: Int64 = 0
    var skippedLongLines = 0
    var failures: [SourceError] = []
}

/// What the first stage hands to the second: a parsed batch, or, last, the reader's final totals.
enum BackfillStageItem: Sendable {
    case batch(ParsedFileBatch)
    case end(BackfillReadTotals)
}

/// The first stage of a file backfill, on a thread of its own: reads the planned files (inflating `.gz`),
/// cuts lines and parses them, and hands each batch to the second stage (track, classify, commit) through a
/// ``BoundedHandOff``. Parsing needs nothing of the second stage's state, so the two run on two cores.
enum BackfillParseStage {
    /// Starts the stage on a new thread; it calls `handOff.finish()` when done or when the consumer closed
    /// the hand-off, after its files are closed.
    /// - Parameters:
    ///   - classifier: classifies each bounce line as it is parsed, so that the tracking thread finds the
    ///     answer in the classifier's memo (nil: nothing classified here).
    ///   - spent: where the tracking thread hands back the lines it is done with (nil: it frees them).
    static func start(
        plan: [BackfillFile], configuration: BackfillReader.Configuration, timeZone: SourceTimeZone,
        formats: [LineFormat], classifier: Classifier? = nil, spent: SpentLines? = nil,
        into handOff: BoundedHandOff<BackfillStageItem>
    ) {
        let thread = Thread {
            ThreadName.set("backfill-read")
            produce(
                plan: plan, configuration: configuration, timeZone: timeZone, formats: formats,
                classifier: classifier, spent: spent, into: handOff)
            handOff.finish()
        }
        thread.name = "backfill-read"
        thread.start()
    }

    /// Reads and parses every planned file; returns when done or when the consumer stopped taking.
    static func produce(
        plan: [BackfillFile], configuration: BackfillReader.Configuration, timeZone: SourceTimeZone,
        formats: [LineFormat], classifier: Classifier? = nil, spent: SpentLines? = nil,
        into handOff: BoundedHandOff<BackfillStageItem>
    ) {
        let reader = BackfillReader(plan: plan, configuration: configuration)
        var parserPath = ""
        var parser = LineParser()
        while let batch = reader.next() {
            if batch.path != parserPath {
                parserPath = batch.path
                parser = LineParser(
                    options: LineParserOptions(
                        timeZone: timeZone, referenceTime: BackfillRunner.modificationTime(batch.path),
                        // The lines go to the tracker only: a sent line's relay and reply are never read.
                        sentDetail: false))
            }
            let box = spent?.take() ?? ParsedLines()
            var lines: [ParsedLine] = []
            // The box's storage, filled in place (moved out of the box and back: no copy).
            swap(&lines, &box.lines)
            lines.reserveCapacity(batch.count)
            var mailLines = 0
            batch.forEachLine { raw, _ in
                let parsed = parser.parse(raw)
                switch parsed.record {
                case .other:
                    lines.append(EventPipeline.applyingFormats(formats, to: parsed, line: raw))
                    return
                case .delivery(let a) where a.status == .bounced && !a.isRetryTimeout:
                    // The tracker turns this line into a bounce (unless the recipient already had an outcome)
                    // and classifies it with exactly this evidence: the answer is then in the memo.
                    if let classifier { _ = classifier.classify(Self.bounceEvidence(a)) }
                default:
                    break
                }
                mailLines += 1
                lines.append(parsed)
            }
            swap(&lines, &box.lines)
            let item = ParsedFileBatch(
                path: batch.path, position: batch.position, parsed: box, mailLines: mailLines,
                totals: totals(of: reader))
            guard handOff.put(.batch(item)) else { return }
        }
        _ = handOff.put(.end(totals(of: reader)))
    }

    /// What ``FinalOutcome/failureEvidence`` gives for the bounce the tracker makes of attempt `a`.
    static func bounceEvidence(_ a: DeliveryAttempt) -> FailureEvidence {
        var e = FailureEvidence(a)
        e.status = .bounced
        return e
    }

    private static func totals(of reader: BackfillReader) -> BackfillReadTotals {
        BackfillReadTotals(
            lines: reader.lines, bytes: reader.bytes, skippedLongLines: reader.skippedLongLines,
            failures: reader.failures)
    }
}
