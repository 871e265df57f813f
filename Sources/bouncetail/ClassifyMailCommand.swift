import ArgumentParser
import BounceClassifier
import BounceMail
import Foundation

/// `bouncetail classify-mail FILE|DIR...`: reads each mail (a directory: its regular files in name
/// order) and prints one JSON object per record (a recipient of a mail), in the mail's order.
struct ClassifyMailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify-mail",
        abstract: "Classify bounce mails (DSNs, ARF complaints, auto-replies) and print one JSON object per recipient.",
        discussion: """
            Each record has mail, kind (bounce, complaint, auto-reply, delayed, delivered, unknown), format,
            recipient, type (hard, soft, complaint, or null when it is not a bounce), reason, fault, action,
            dsn, dsn_action, reply_code, smtp_stage, remote_host, diagnostic, message_id, campaign_uuid,
            subscriber_uuid, feedback_type, rule and evidence. A mail that cannot be read or is over the
            caps prints one record with kind unknown and the reason in evidence.
            """)

    @Argument(help: "Mail files or directories of mail files.")
    var paths: [String]

    @Option(name: .customLong("max-bytes"), help: "Largest message parsed, in bytes.")
    var maxBytes: Int = MailLimits().maxBytes

    @Option(name: .customLong("max-depth"), help: "Deepest MIME nesting parsed.")
    var maxDepth: Int = MailLimits().maxDepth

    @OptionGroup var patternOptions: PatternOptions

    func run() throws {
        let classifier = Classifier(set: try patternOptions.load(locate: false))
        let limits = MailLimits(maxBytes: maxBytes, maxDepth: maxDepth)
        var out = ""
        for path in Self.expand(paths) {
            for line in MailClassification.lines(path: path, limits: limits, classifier: classifier) {
                out += line
                out += "\n"
            }
            if out.utf8.count >= 1 << 16 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out = ""
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// Files as given; a directory's regular files in name order (hidden files skipped).
    static func expand(_ paths: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: p)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                for n in names {
                    let full = (p as NSString).appendingPathComponent(n)
                    var sub: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { out.append(full) }
                }
            } else {
                out.append(p)
            }
        }
        return out
    }
}

/// One mail file to JSON lines (shared by `classify-mail` and its tests through the binary).
enum MailClassification {
    static func lines(path: String, limits: MailLimits, classifier: Classifier) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return [unreadable(path, "cannot read the file (missing or no permission)")]
        }
        do {
            let report = try MailReader.read([UInt8](data), limits: limits)
            return MailVerdict.verdicts(for: report, classifier: classifier).map { $0.json(mail: path) }
        } catch let e as MailReadError {
            return [unreadable(path, e.description)]
        } catch {
            return [unreadable(path, "\(error)")]
        }
    }

    static func unreadable(_ path: String, _ why: String) -> String {
        MailVerdict(
            kind: .unknown, format: "none", report: nil, classification: nil, original: .init(), feedbackType: nil,
            note: why
        ).json(mail: path)
    }
}
