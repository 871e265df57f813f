import Benchmark
import BounceCore

/// A bulk-mail Postfix log held in memory: per message smtpd, cleanup (message-id, two listmonk headers),
/// qmgr, one smtp status line (sent, deferred with a multi-line reply, or bounced) and removed.
func generatedPostfixLog(messages: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(messages * 1500)
    var rng = SplitMix(seed: 7)
    let hex = Array("0123456789ABCDEF".utf8)
    func qid() -> String { String(decoding: (0..<10).map { _ in hex[Int(rng.next() % 16)] }, as: UTF8.self) }
    for i in 0..<messages {
        let q = qid()
        let ts = "Nov 26 10:\(10 + i / 60 % 50):\(10 + i % 50) mx1"
        let rcpt = "user\(rng.next() % 1_000_000)@example.org"
        var lines = [
            "\(ts) postfix/smtpd[2001]: connect from localhost[127.0.0.1]",
            "\(ts) postfix/smtpd[2001]: \(q): client=localhost[127.0.0.1]",
            "\(ts) postfix/cleanup[2002]: \(q): message-id=<\(q).\(i)@lists.example>",
            "\(ts) postfix/cleanup[2002]: \(q): info: header X-Listmonk-Campaign: 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f from localhost[127.0.0.1]; from=<bounces@lists.example> to=<\(rcpt)> proto=ESMTP helo=<lists.example>",
            "\(ts) postfix/cleanup[2002]: \(q): info: header X-Listmonk-Subscriber: 0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a from localhost[127.0.0.1]; from=<bounces@lists.example> to=<\(rcpt)> proto=ESMTP helo=<lists.example>",
            "\(ts) postfix/qmgr[900]: \(q): from=<bounces@lists.example>, size=\(4000 + i % 5000), nrcpt=1 (queue active)",
        ]
        switch i % 20 {
        case 0:
            lines.append(
                "\(ts) postfix/smtp[2003]: \(q): to=<\(rcpt)>, relay=mx.example.org[192.0.2.10]:25, delay=1.2, delays=0.01/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.10] said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550 5.1.1 again. x1 - gsmtp (in reply to RCPT TO command))"
            )
        case 1:
            lines.append(
                "\(ts) postfix/smtp[2003]: \(q): to=<\(rcpt)>, relay=mx.example.org[192.0.2.10]:25, delay=1.2, delays=0.01/0/0.5/0.6, dsn=4.7.28, status=deferred (host mx.example.org[192.0.2.10] said: 421-4.7.28 unusual rate of 421 4.7.28 unsolicited mail. x2 - gsmtp (in reply to RCPT TO command))"
            )
        default:
            lines.append(
                "\(ts) postfix/smtp[2003]: \(q): to=<\(rcpt)>, relay=mx.example.org[192.0.2.10]:25, delay=0.4, delays=0.01/0/0.2/0.2, dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 x3 - gsmtp)"
            )
        }
        lines.append("\(ts) postfix/qmgr[900]: \(q): removed")
        lines.append(
            "\(ts) postfix/smtpd[2001]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"
        )
        for l in lines {
            out.append(contentsOf: l.utf8)
            out.append(0x0A)
        }
    }
    return out
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Calls `body` for each line of `log` (newline-split in place, as the LineReader hands lines out).
@inline(__always)
func forEachLine(_ log: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
    var start = 0
    while start < log.count {
        let end = log[start...].firstIndex(of: 0x0A) ?? log.count
        body(UnsafeRawBufferPointer(rebasing: log[start..<end]))
        start = end + 1
    }
}

func parserBenchmarks() {
    let log = generatedPostfixLog(messages: 5_000)
    let lineCount = log.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    let options = LineParserOptions(timeZone: .utc, referenceTime: LogTime(seconds: 1_796_083_200))

    Benchmark(
        "Postfix log: kind(of:) per line (parse --summary)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one)
    ) { benchmark in
        let parser = LineParser(options: options)
        for _ in benchmark.scaledIterations {
            var deliveries = 0
            var others = 0
            log.withUnsafeBytes { buf in
                forEachLine(buf) {
                    switch parser.kind(of: $0) {
                    case .delivery: deliveries += 1
                    default: others += 1
                    }
                }
            }
            blackHole(deliveries &+ others)
        }
        _ = lineCount
    }

    Benchmark(
        "Postfix log: full parse per line",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = LineParser(options: options)
            var deliveries = 0
            log.withUnsafeBytes { buf in
                forEachLine(buf) {
                    if case .delivery = parser.parse($0).record { deliveries += 1 }
                }
            }
            blackHole(deliveries)
        }
    }

    Benchmark(
        "Postfix log: full parse and JSON",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .one)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = LineParser(options: options)
            var w = JSONWriter(capacity: 4096)
            var bytes = 0
            log.withUnsafeBytes { buf in
                forEachLine(buf) {
                    w.reset()
                    parser.parse($0).writeJSON(to: &w)
                    bytes += w.bytes.count
                }
            }
            blackHole(bytes)
        }
    }
}
