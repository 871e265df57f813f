import BounceClassifier
import BounceCore
import Testing

@testable import BounceDaemon

/// Lines the built-in Postfix and Exim parsers do not know reach the tracker through the pattern set's
/// extra line formats (`patterns/formats.toml`).
@Suite struct LineFormatPipelineTests {
    static func pipeline() throws -> EventPipeline {
        var config = BounceTailConfig()
        config.general.hostName = "formats.test"
        config.classifier.patternsDir = "/nonexistent"
        config.classifier.overrideDir = "/nonexistent"
        return PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
    }

    static func feed(_ p: EventPipeline, _ line: String) -> [BounceEvent] {
        var parser = LineParser()
        var events: [BounceEvent] = []
        var copy = line
        copy.withUTF8 { u in
            let raw = UnsafeRawBufferPointer(u)
            p.ingest(line: raw, parsed: parser.parse(raw), into: &events)
        }
        return events
    }

    @Test func anUnknownLayoutBecomesABounceThroughItsFormat() throws {
        let p = try Self.pipeline()
        let events = Self.feed(
            p,
            #"relayd[7]: delivery id=QX1 rcpt=<Gone@Example.org> result=failed code=5.1.1 msg="550 5.1.1 no such user""#
        )
        #expect(events.count == 1)
        #expect(events.first?.email == "gone@example.org")
        #expect(events.first?.meta.reason == "userunknown")
        #expect(events.first?.type == .hard)
        #expect(events.first?.meta.queueID == "QX1")
    }

    @Test func unknownLinesThatNoFormatMatchesStayUnknown() throws {
        let p = try Self.pipeline()
        #expect(Self.feed(p, "relayd[7]: something else entirely rcpt=<a@b.c>").isEmpty)
        #expect(p.stats.records[.other] == 1)
    }
}
