import BounceClassifier
import BounceCore
import BounceMail
import BounceStore
import Foundation

/// Takes one mail into the state database: its bounce and complaint records as events (through the
/// same dedup and outbox as log events), its other records as counters, and a mail it cannot read into
/// the review directory. What `bouncetail ingest-mail` does between reading stdin and exiting.
public struct MailIngest: Sendable {
    /// What happened to one mail.
    public struct Outcome: Sendable, Hashable {
        /// Events new to the store.
        public var inserted = 0
        /// Events whose key was already stored (the same mail ingested again).
        public var duplicates = 0
        /// Records by kind (bounce, complaint, auto-reply, delayed, delivered, unknown).
        public var kinds: [String: Int] = [:]
        /// New events that were the same bounce as a log event already stored (no second event).
        public var joined = 0
        /// Of `inserted`, hard bounces and complaints held because no log shows the message sent.
        public var heldUnmatched = 0
        /// Where an unreadable mail was kept, and why.
        public var keptForReview: (path: String, why: String)?

        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.inserted == b.inserted && a.duplicates == b.duplicates && a.kinds == b.kinds && a.joined == b.joined
                && a.heldUnmatched == b.heldUnmatched
                && a.keptForReview?.path == b.keptForReview?.path && a.keptForReview?.why == b.keptForReview?.why
        }

        public func hash(into h: inout Hasher) {
            h.combine(inserted)
            h.combine(duplicates)
            h.combine(keptForReview?.path)
        }
    }

    public let config: BounceTailConfig
    public let classifier: Classifier

    public init(config: BounceTailConfig, classifier: Classifier) {
        self.config = config
        self.classifier = classifier
    }

    public var limits: MailLimits {
        MailLimits(maxBytes: Int(config.mail.maxBytes.bytes), maxDepth: config.mail.maxDepth)
    }

    /// Reads, classifies and commits one mail. Throws only when nothing could be made durable (the
    /// caller exits 75 so the MTA keeps the mail and retries); an unreadable mail is kept for review.
    public func ingest(_ bytes: [UInt8], db: StateDB, now: Date = Date()) throws -> Outcome {
        var outcome = Outcome()
        let report: MailReport
        do {
            report = try MailReader.read(bytes, limits: limits)
        } catch let e as MailReadError {
            let path = try MailReview.keep(bytes, in: config.mail.reviewDir, why: e.description, now: now)
            outcome.keptForReview = (path, e.description)
            outcome.kinds["unparsed"] = 1
            try db.addToCounters(["mail.unparsed": 1])
            return outcome
        }
        let verdicts = MailVerdict.verdicts(for: report, classifier: classifier)
        for v in verdicts { outcome.kinds[v.kind.rawValue, default: 0] += 1 }
        // The same host form as log events' keys (the hosts rule), so a later join can match them.
        let host = config.hosts.identity(hostName: config.general.hostName).local
        let builder = MailEventBuilder(host: host, source: config.general.source)
        let micros = Int64((now.timeIntervalSince1970 * 1_000_000).rounded())
        let built = builder.eventsWithVerdicts(
            report: report, verdicts: verdicts,
            mailID: MailEventBuilder.mailIdentity(bytes, headers: report.headers), now: LogTime(microseconds: micros))
        var joins: [String: MailJoin] = [:]
        var hosts = config.hosts.identity(hostName: config.general.hostName)
        let hold = config.holdsUnmatchedMail
        for (event, v) in built {
            joins[event.dedupKey] = Self.join(for: v, hosts: &hosts, holdUnmatched: hold)
        }
        let result = try db.commit(
            Batch(
                events: built.map(\.event), sink: config.sink.kind == .sqlite ? .localStore : .outbox,
                mailJoins: joins))
        outcome.inserted = result.inserted
        outcome.duplicates = result.duplicates
        outcome.joined = result.joined
        outcome.heldUnmatched = result.heldUnmatched
        // A duplicate mail counts nothing twice: a mail is new when one of its events was (stored or joined), or
        // when it had none.
        if result.duplicates == 0 || result.inserted + result.joined > 0 {
            var counts: [String: Int] = ["mail.mails": 1]
            for (k, n) in outcome.kinds { counts["mail.records." + k] = n }
            try db.addToCounters(counts)
        }
        return outcome
    }

    /// How a report's record meets the logs: the Reporting-MTA's identity host and queue id, the original's
    /// Message-ID (see ``MailJoin``).
    static func join(for v: MailVerdict, hosts: inout HostIdentity, holdUnmatched: Bool) -> MailJoin {
        let queueID = v.report?.queueID.flatMap { $0.isEmpty ? nil : $0 }
        // A Reporting-MTA names the machine that wrote the queue id; without one, the report came from here.
        let host = queueID == nil ? nil : hosts.cachedIdentity(of: v.report?.reportingMTA)
        return MailJoin(host: host, queueID: queueID, messageID: v.original.messageID, holdUnmatched: holdUnmatched)
    }
}

/// Mails kept for the operator: one file each, written to a temporary name, synced, then renamed, so a
/// reader never sees half a mail and a crash loses nothing the MTA was told is safe.
public enum MailReview {
    /// Writes `bytes` (and a first line saying why) into `dir`; returns the file's path.
    public static func keep(_ bytes: [UInt8], in dir: String, why: String, now: Date) throws -> String {
        let fm = FileManager.default
        do {
            try fm.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailReviewError(
                message:
                    "cannot create the mail review directory \(dir): \(error.localizedDescription); create it writable by this user (mail.review_dir)"
            )
        }
        let stamp = String(Int64(now.timeIntervalSince1970 * 1000))
        let name = "\(stamp).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).eml"
        let tmp = (dir as NSString).appendingPathComponent("." + name + ".tmp")
        let final = (dir as NSString).appendingPathComponent(name)
        let header = Array("X-Bouncetail-Review: \(why.replacing("\n", with: " "))\n".utf8)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw MailReviewError(
                message:
                    "cannot write \(tmp): \(String(cString: strerror(errno))); check mail.review_dir's owner and free space"
            )
        }
        var ok = true
        for chunk in [header, bytes] {
            var off = 0
            while off < chunk.count {
                let n = chunk[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if errno == EINTR { continue }
                    ok = false
                    break
                }
                off += n
            }
        }
        if fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok, rename(tmp, final) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw MailReviewError(message: "cannot keep the mail in \(dir): \(why); check free space and permissions")
        }
        // The rename is durable once the directory is synced.
        let dfd = open(dir, O_RDONLY)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
        return final
    }
}

/// The review directory could not take a mail.
public struct MailReviewError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
