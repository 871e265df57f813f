/// Joins the lines of each message (per MTA host and queue id) and decides one final outcome per
/// (message, recipient): bounced, expired, or — with the optional policy — deferred too long.
///
/// Pure: no I/O and no clock of its own. Time comes from the records (a line without a time takes the
/// latest time seen) and from the `now` given to ``tick(now:)``. Delivered and still-pending recipients
/// produce nothing; at most one outcome is ever emitted per (message, recipient).
///
/// What it follows:
/// - sender, Message-ID and listmonk's `X-Listmonk-Campaign` / `X-Listmonk-Subscriber` headers, whichever
///   line order they come in (Exim's `logwrite` header line precedes its `<=` line);
/// - content-filter re-queue chains: a `sent` to loopback or a configured filter relay with `queued as NEWID`
///   links the old id to the new one; what either id learned is known to both, and the hand-off is not a delivery;
/// - expiries without a recipient (Postfix qmgr `status=expired`) or without a reason (Exim retry timeouts):
///   the reason comes from the last real attempt of the recipient, of the message on that domain, of another
///   message on that domain recently, of the message on any domain, in that order;
/// - bounce notifications (empty sender, or named by a Postfix `bounce:` line): never subscriber bounces;
/// - queue id reuse: state is dropped at `removed` / `Completed`, by age and by count.
///
/// State changes are collected for the state database (``drainChanges()``) and can be loaded back
/// (``restore(key:bytes:)``), so correlation survives restarts.
public struct MessageTracker: Sendable {
    public private(set) var options: TrackerOptions
    public private(set) var counters = TrackerCounters()
    /// Key (``TrackerKey``; stored as ``key(host:mta:queueID:)``) → state, with its bookkeeping for
    /// ``drainChanges()``.
    ///
    /// The bookkeeping lives beside each state, not in sets of keys: three sets (changed, dropped, never
    /// written) were hashed into several times per message, about a tenth of the tracking thread of a
    /// backfill. Each place that changes a message holds its entry already and sets a flag on it.
    var messages: [TrackerKey: TrackedMessage] = [:]
    /// Keys whose message turned dirty since the last drain, in that order, for ``drainChanges()`` (which
    /// must not scan ``messages``: follow mode holds up to a million). A key dropped and created again is
    /// listed again; the drain skips the entries that are gone or no longer dirty.
    private var changedMessages: [TrackerKey] = []
    /// The same for ``recent``.
    private var changedRecent: [TrackerKey] = []
    /// Entries (messages and recent attempts) dirty now: the next drain's row count.
    private var dirtyCount = 0
    /// Keys dropped since the last drain that may have a row (repeats allowed). A key put again afterwards
    /// stays here; ``drainChanges()`` leaves out the ones that exist again. A message created again after
    /// its drop counts as never written (``EntryFlags/unsaved``): if it is dropped again, the deletion
    /// listed at the first drop is still here, so the row of an earlier batch still goes.
    private var deleted: [TrackerKey] = []
    private var deliveries: [SuccessfulDelivery] = []
    /// Deliveries and first deferrals since the last ``drainTallies()`` (only with ``TrackerOptions/recordTallies``).
    private var tallies: [OutcomeTally] = []
    /// The last real temporary failure per domain and per remote host across messages, keyed
    /// `<host>|<mta>|~d:<domain>` and `<host>|<mta>|~h:<remote host>`; persisted beside the messages so that
    /// a restart explains an expiry exactly as an uninterrupted run would.
    var recent: [TrackerKey: TrackedAttempt] = [:]
    /// The latest record time seen.
    public private(set) var clock = LogTime(microseconds: 0)
    private var ingestsSinceSweep = 0
    private let relays: RelayMatcher
    /// ``TrackerOptions/hosts``, with its one-name cache.
    private var hosts: HostIdentity

    private static let sweepInterval = 10_000
    private static let recentCap = 20_000
    private static let maxChainDepth = 8

    public init(options: TrackerOptions) {
        self.options = options
        self.relays = RelayMatcher(filterRelays: options.filterRelays)
        self.hosts = options.hosts
    }

    /// Messages currently tracked.
    public var messageCount: Int { messages.count }

    /// The state key of a message: `<host>|<mta>|<queueid>`.
    public static func key(host: String, mta: MTA, queueID: String) -> String {
        // Byte copies into one allocation: this runs for nearly every line, and `+` allocated per piece.
        var host = host
        var queueID = queueID
        // `mta.rawValue`, as a literal so that its bytes need no String.
        let m: StaticString =
            switch mta {
            case .postfix: "postfix"
            case .exim: "exim"
            }
        return host.withUTF8 { h in
            queueID.withUTF8 { q in
                let mtaName = UnsafeBufferPointer(start: m.utf8Start, count: m.utf8CodeUnitCount)
                return String(unsafeUninitializedCapacity: h.count + mtaName.count + q.count + 2) { out in
                    var i = 0
                    func put(_ part: UnsafeBufferPointer<UInt8>) {
                        for b in part {
                            out[i] = b
                            i += 1
                        }
                    }
                    put(h)
                    out[i] = UInt8(ascii: "|")
                    i += 1
                    put(mtaName)
                    out[i] = UInt8(ascii: "|")
                    i += 1
                    put(q)
                    return i
                }
            }
        }
    }

    // MARK: - Ingest

    /// Feeds one parsed line; returns the final outcomes it decided (usually none).
    /// - Parameter host: the identity host, overriding the one the line names (``TrackerOptions/hosts``
    ///   applied to the envelope's host).
    public mutating func ingest(_ line: ParsedLine, host: String? = nil) -> [FinalOutcome] {
        let time = line.envelope.time ?? clock
        if time > clock { clock = time }
        let host = host ?? hosts.cachedIdentity(of: line.envelope.host)
        var out: [FinalOutcome] = []
        apply(line.record, host: host, time: time, into: &out)
        for extra in line.extraHeaders { apply(extra, host: host, time: time, into: &out) }

        if messages.count > options.maxMessages { evictOldest() }
        ingestsSinceSweep += 1
        if ingestsSinceSweep >= Self.sweepInterval {
            ingestsSinceSweep = 0
            counters.evictedByAge += removeOlder(than: LogTime(microseconds: clock.microseconds - options.maxAge))
        }
        return out
    }

    private mutating func apply(_ record: LogRecord, host: String, time: LogTime, into out: inout [FinalOutcome]) {
        switch record {
        case .delivery(let a):
            delivery(a, host: host, time: time, into: &out)

        case .queued(let q):
            let k = TrackerKey(host: host, mta: q.mta, queueID: q.queueID)
            let hasChildren = modify(k, host: host, mta: q.mta, queueID: q.queueID, time: time) { s in
                s.sender = q.sender
                if q.sender.isEmpty { s.isBounceNotification = true }
                if let m = q.messageID, s.messageID == nil { s.messageID = m }
                return !s.childQueueIDs.isEmpty
            }
            if hasChildren { propagate(from: k) }

        case .messageID(let mta, let queueID, let messageID):
            let k = TrackerKey(host: host, mta: mta, queueID: queueID)
            let (reused, hasChildren) = modify(k, host: host, mta: mta, queueID: queueID, time: time) { s in
                // cleanup logs the Message-ID once, before any delivery: a message that already has delivery
                // lines is an earlier one whose `removed` line we never saw.
                let reused = !s.recipients.isEmpty && s.messageID != messageID
                if reused { s = MessageState(host: host, mta: mta, queueID: queueID, time: time) }
                s.messageID = messageID
                return (reused, !s.childQueueIDs.isEmpty)
            }
            if reused { counters.queueIDReused += 1 }
            if hasChildren { propagate(from: k) }

        case .header(let mta, let queueID, let name, let value):
            guard let which = ListmonkHeader(name: name) else { return }
            let k = TrackerKey(host: host, mta: mta, queueID: queueID)
            let v = ListmonkHeader.firstToken(value)
            let hasChildren = modify(k, host: host, mta: mta, queueID: queueID, time: time) { s in
                switch which {
                case .campaign: s.campaignUUID = v
                case .subscriber: s.subscriberUUID = v
                }
                return !s.childQueueIDs.isEmpty
            }
            if hasChildren { propagate(from: k) }

        case .bounceNotification(let mta, _, let notificationQueueID, _):
            let k = TrackerKey(host: host, mta: mta, queueID: notificationQueueID)
            modify(k, host: host, mta: mta, queueID: notificationQueueID, time: time) { $0.isBounceNotification = true }

        case .expired(let mta, let queueID, let sender, let rawStatus):
            let k = TrackerKey(host: host, mta: mta, queueID: queueID)
            guard let e = messages.removeValue(forKey: k) else {
                counters.expiredWithoutRecipients += 1
                return
            }
            let flags = e.flags
            var s = e.state
            s.lastSeen = max(s.lastSeen, time)
            s.expiredSeen = true
            if s.sender == nil { s.sender = sender }
            // Every recipient still deferred; one already reported (deferred too long) is counted as a repeat.
            let waiting = s.recipients.filter { !$0.value.finished && $0.value.firstDeferred != nil }
                .sorted { $0.value.order < $1.value.order }
            if waiting.isEmpty { counters.expiredWithoutRecipients += 1 }
            for (rk, var r) in waiting {
                let evidence = bestEvidence(s, r, domain: RecipientState.domain(of: rk), time: time, fallback: nil)
                emit(.expired, s, &r, time: time, rawStatus: rawStatus, evidence: evidence, into: &out)
                s.recipients[rk] = r
            }
            put(k, s, flags)

        case .removed(let mta, let queueID):
            let k = TrackerKey(host: host, mta: mta, queueID: queueID)
            if let e = messages.removeValue(forKey: k) { forget(k, e.flags) }

        case .inboundReject, .warning, .otherMTA, .other:
            return
        }
    }

    private mutating func delivery(_ a: DeliveryAttempt, host: String, time: LogTime, into out: inout [FinalOutcome]) {
        if a.status == .other { return }
        let k = TrackerKey(host: host, mta: a.mta, queueID: a.queueID)
        var (s, flags) = take(k, host: host, mta: a.mta, queueID: a.queueID, time: time)
        let rk = a.recipient.cheaplyLowercased
        var r =
            s.recipients[rk]
            ?? RecipientState(recipient: a.recipient, originalRecipient: a.originalRecipient, order: s.recipients.count)
        if r.originalRecipient == nil, let o = a.originalRecipient { r.originalRecipient = o }
        var handOff: String?

        switch a.status {
        case .sent:
            if let newID = a.queuedAs, relays.isFilterHop(relay: a.relay, remoteHost: a.remoteHost) {
                // Not a delivery: the message lives on under the new id, where its fate is decided.
                counters.filterHandOffs += 1
                handOff = newID
            } else {
                counters.delivered += 1
                if options.recordDeliveries || options.recordTallies {
                    // `(r.originalRecipient ?? r.recipient).cheaplyLowercased`, once for both: `rk` is that
                    // of the line's spelling, which is `r.recipient` itself for a recipient first seen here.
                    let address =
                        r.originalRecipient?.cheaplyLowercased
                        ?? (r.recipient == a.recipient ? rk : r.recipient.cheaplyLowercased)
                    if options.recordDeliveries {
                        deliveries.append(
                            SuccessfulDelivery(address: address, time: time, mta: a.mta, queueID: a.queueID))
                    }
                    if options.recordTallies, r.isOpen, counts(s) {
                        tally(.delivered, s, recipient: address, time: time)
                    }
                }
            }
            r.finished = true

        case .deferred:
            // The domain and the stored attempt only here and for expiries: a delivery needs neither (an
            // allocation and a dozen retains on most lines of a log).
            let domain = RecipientState.domain(of: rk)
            let stored = StoredAttempt(time: time, attempt: a)
            // Counted once per message: at its first deferred line, whichever recipient it names.
            if options.recordTallies, r.firstDeferred == nil, counts(s),
                !s.recipients.values.contains(where: { $0.firstDeferred != nil })
            {
                tally(.deferred, s, recipient: (r.originalRecipient ?? r.recipient).cheaplyLowercased, time: time)
            }
            if r.firstDeferred == nil { r.firstDeferred = time }
            if a.isAttempt {
                r.lastAttempt = stored
                s.lastAttemptByDomain[domain] = stored
                rememberRecent(stored, host: host, domain: domain)
            } else {
                r.lastNonAttempt = stored
                if r.lastAttempt == nil && r.borrowedAttempt == nil,
                    let b = recentAttempt(host: host, mta: a.mta, domain: domain, remoteHost: a.remoteHost, at: time)
                {
                    r.borrowedAttempt = b
                }
            }
            if let age = options.deferredTooLongAfter, let first = r.firstDeferred, r.isOpen,
                time.microseconds - first.microseconds >= age
            {
                let evidence = bestEvidence(s, r, domain: domain, time: time, fallback: a)
                emit(.deferredTooLong, s, &r, time: time, rawStatus: a.rawStatus, evidence: evidence, into: &out)
            }

        case .bounced where a.isRetryTimeout, .expired:
            // Exim's retry timeouts name no reason of their own: it comes from an earlier real attempt.
            let evidence = bestEvidence(s, r, domain: RecipientState.domain(of: rk), time: time, fallback: a)
            emit(.expired, s, &r, time: time, rawStatus: a.rawStatus, evidence: evidence, into: &out)

        case .bounced:
            emit(.bounced, s, &r, time: time, rawStatus: a.rawStatus, evidence: a, into: &out)

        case .other:
            break
        }
        s.recipients[rk] = r
        put(k, s, flags)
        if let newID = handOff { link(parent: k, child: newID, host: host, mta: a.mta, time: time) }
    }

    /// Records one outcome unless the recipient already has one, the message is a bounce notification, or
    /// the sender filter rejects it (each counted).
    private mutating func emit(
        _ kind: FinalOutcome.Kind, _ s: MessageState, _ r: inout RecipientState, time: LogTime, rawStatus: String,
        evidence: DeliveryAttempt?, into out: inout [FinalOutcome]
    ) {
        guard r.isOpen else {
            counters.suppressedRepeats += 1
            return
        }
        r.reported = true
        if s.isBounceNotification || s.sender == "" {
            counters.bounceNotifications += 1
            return
        }
        if let filter = options.senderFilter,
            !filter.accepts(sender: s.sender, hasListmonkHeaders: s.hasListmonkHeaders)
        {
            counters.filtered += 1
            return
        }
        counters.outcomes += 1
        out.append(
            FinalOutcome(
                kind: kind, mta: s.mta, host: s.host, queueID: s.queueID, firstSeen: s.firstSeen,
                messageID: s.messageID, sender: s.sender, campaignUUID: s.campaignUUID,
                subscriberUUID: s.subscriberUUID, recipient: r.recipient, originalRecipient: r.originalRecipient,
                time: time, rawStatus: rawStatus, evidence: evidence))
    }

    /// Whether a message's outcomes count: the same rule as ``emit(_:_:_:time:rawStatus:evidence:into:)`` (not a
    /// bounce notification, accepted by the sender filter), so rates compare like with like.
    private func counts(_ s: MessageState) -> Bool {
        if s.isBounceNotification || s.sender == "" { return false }
        if let filter = options.senderFilter,
            !filter.accepts(sender: s.sender, hasListmonkHeaders: s.hasListmonkHeaders)
        {
            return false
        }
        return true
    }

    /// - Parameter recipient: the recipient's `(originalRecipient ?? recipient).cheaplyLowercased`.
    private mutating func tally(_ kind: OutcomeTally.Kind, _ s: MessageState, recipient: String, time: LogTime) {
        tallies.append(
            OutcomeTally(
                kind: kind, host: s.host, mta: s.mta, queueID: s.queueID,
                recipient: recipient, campaignUUID: s.campaignUUID,
                time: time,
                messageID: kind == .delivered ? s.messageID : nil,
                subscriberUUID: kind == .delivered ? s.subscriberUUID : nil))
    }

    /// The attempt that explains an expiry, best first: the recipient's own last real attempt; the message's
    /// last real attempt on the same domain; another message's recent attempt on that domain (captured when
    /// the recipient was skipped, or now); the message's last real attempt on any domain; the recipient's
    /// last non-attempt line (Postfix repeats the original error in it); the deciding line itself.
    private func bestEvidence(
        _ s: MessageState, _ r: RecipientState, domain: String, time: LogTime, fallback: DeliveryAttempt?
    ) -> DeliveryAttempt? {
        if let a = r.lastAttempt { return a.attempt }
        if let a = s.lastAttemptByDomain[domain] { return a.attempt }
        if let a = r.borrowedAttempt { return a.attempt }
        if let a = recentAttempt(host: s.host, mta: s.mta, domain: domain, remoteHost: nil, at: time) {
            return a.attempt
        }
        if let a = s.lastAttemptAnyDomain { return a.attempt }
        if let a = r.lastNonAttempt { return a.attempt }
        return fallback
    }

    // MARK: - Deferred too long, ageing

    /// Applies the time-based policies at `now` (wall clock in follow mode, the latest record time in a
    /// backfill): one `deferred` outcome per recipient deferred longer than
    /// ``TrackerOptions/deferredTooLongAfter``, and eviction of messages older than ``TrackerOptions/maxAge``.
    public mutating func tick(now: LogTime) -> [FinalOutcome] {
        var out: [FinalOutcome] = []
        if let age = options.deferredTooLongAfter {
            var due: [TrackerKey] = []
            for (k, e) in messages {
                for r in e.state.recipients.values where r.isOpen {
                    if let first = r.firstDeferred, now.microseconds - first.microseconds >= age {
                        due.append(k)
                        break
                    }
                }
            }
            for k in TrackerKey.sortedByText(due) {
                guard let e = messages.removeValue(forKey: k) else { continue }
                let flags = e.flags
                var s = e.state
                let open = s.recipients.filter {
                    guard $0.value.isOpen, let first = $0.value.firstDeferred else { return false }
                    return now.microseconds - first.microseconds >= age
                }.sorted { $0.value.order < $1.value.order }
                for (rk, var r) in open {
                    let evidence = bestEvidence(s, r, domain: RecipientState.domain(of: rk), time: now, fallback: nil)
                    let raw = r.lastAttempt?.attempt.rawStatus ?? r.lastNonAttempt?.attempt.rawStatus ?? "deferred"
                    emit(.deferredTooLong, s, &r, time: now, rawStatus: raw, evidence: evidence, into: &out)
                    s.recipients[rk] = r
                }
                put(k, s, flags)
            }
        }
        counters.evictedByAge += removeOlder(than: LogTime(microseconds: now.microseconds - options.maxAge))
        return out
    }

    /// Drops every message whose latest line is older than `cutoff`; returns how many. Their recipients get
    /// no outcome (their history was lost or never finished).
    @discardableResult
    public mutating func evict(olderThan cutoff: LogTime) -> Int {
        let n = removeOlder(than: cutoff)
        counters.evictedByAge += n
        return n
    }

    private mutating func removeOlder(than cutoff: LogTime) -> Int {
        // The keys only: `filter` on the dictionary built a second dictionary of the old messages' states.
        var old: [TrackerKey] = []
        for (k, e) in messages where e.state.lastSeen < cutoff { old.append(k) }
        for k in old { drop(k) }
        pruneRecent(before: LogTime(microseconds: clock.microseconds - options.recentAttemptWindow))
        return old.count
    }

    /// Drops the least recently seen tenth, so the count check does not sort on every line.
    private mutating func evictOldest() {
        let target = max(0, options.maxMessages - max(1, options.maxMessages / 10))
        let excess = messages.count - target
        guard excess > 0 else { return }
        // Ties broken by the stored key text, as when the keys were Strings.
        let victims = messages.map { ($0.key, $0.value.state.lastSeen) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : TrackerKey.textLess($0.0, $1.0) }
            .prefix(excess)
        for (k, _) in victims { drop(k) }
        counters.evictedByCount += excess
    }

    // MARK: - Persistence and deliveries

    /// The state changed since the last drain: each changed message's JSON, and the keys dropped.
    public mutating func drainChanges() -> TrackerChanges {
        var gone: Set<String> = []
        for k in deleted where messages[k] == nil && recent[k] == nil { gone.insert(k.text) }
        var changes = TrackerChanges(deleted: gone)
        changes.upserted.reserveCapacity(dirtyCount)
        // One buffer for all rows of the drain: each row copies out exactly its own bytes.
        var w = JSONWriter(capacity: 2048)
        // Message and recent-attempt keys never meet (`~` is in no queue id): each list looks in its table.
        for k in changedMessages {
            // Gone (dropped after it turned dirty), or listed twice (dropped and created again): skipped.
            guard let i = messages.index(forKey: k), messages.values[i].flags.contains(.dirty) else { continue }
            // Written now: no longer dirty, and no longer unsaved (every unsaved message is dirty).
            messages.values[i].flags = []
            TrackerCoding.write(messages.values[i].state, to: &w)
            // A copy of exactly the row's length; the writer keeps its buffer for the next row.
            changes.upserted[k.text] = w.bytes.withUnsafeBufferPointer { Array($0) }
        }
        for k in changedRecent {
            guard let i = recent.index(forKey: k), recent.values[i].flags.contains(.dirty) else { continue }
            recent.values[i].flags = []
            TrackerCoding.write(recent.values[i].attempt, to: &w)
            changes.upserted[k.text] = w.bytes.withUnsafeBufferPointer { Array($0) }
        }
        changedMessages.removeAll(keepingCapacity: true)
        changedRecent.removeAll(keepingCapacity: true)
        deleted.removeAll(keepingCapacity: true)
        dirtyCount = 0
        return changes
    }

    /// Loads one persisted message state (as produced by ``drainChanges()``); call at start-up, before ingesting.
    ///
    /// A row stored under a host that is not its identity today (written before hosts were read, when every
    /// key carried `general.host_name` as written, or before an alias was added) is restored under the
    /// identity ``TrackerOptions/hosts`` gives that host: the next ``drainChanges()`` writes it under the new
    /// key and deletes the old one, so the message's later lines still join it.
    /// - Throws: ``TrackerRestoreError`` when the bytes are not a state of this key.
    public mutating func restore(key: String, bytes: [UInt8]) throws {
        if Self.isRecentKey(key) {
            let a: StoredAttempt
            do {
                a = try TrackerCoding.decode(StoredAttempt.self, bytes)
            } catch {
                throw TrackerRestoreError(key: key, problem: "not a recent-attempt record (\(error))")
            }
            guard let k = TrackerKey(text: key) else {
                throw TrackerRestoreError(key: key, problem: "the key names no host and MTA (`host|mta|~...`)")
            }
            let identity = hosts.identity(of: k.host)
            if identity == k.host {
                // Over a live entry (not the daemon's order), its bookkeeping stays.
                recent[k, default: TrackedAttempt(attempt: a)].attempt = a
            } else {
                let moved = TrackerKey(host: identity, mta: k.mta, queueID: k.queueID)
                if recent[moved] == nil { setRecent(moved, a) }
                deleted.append(k)
                counters.restoredUnderNewHost += 1
            }
            return
        }
        var s: MessageState
        do {
            s = try TrackerCoding.decode(MessageState.self, bytes)
        } catch {
            throw TrackerRestoreError(key: key, problem: "not a tracker state (\(error))")
        }
        let k = TrackerKey(host: s.host, mta: s.mta, queueID: s.queueID)
        guard k.text == key else {
            throw TrackerRestoreError(
                key: key, problem: "the state belongs to \(s.host)|\(s.mta.rawValue)|\(s.queueID)")
        }
        let identity = hosts.identity(of: s.host)
        if identity != s.host {
            // The old row goes; the state lives on under the new key (unless a row of that key was restored
            // already: a newer reader's state of the same message wins).
            deleted.append(k)
            counters.restoredUnderNewHost += 1
            s.host = identity
            let moved = TrackerKey(host: identity, mta: s.mta, queueID: s.queueID)
            // Not unsaved: like any message not created since the last drain, its drop asks for a deletion.
            if messages[moved] == nil { put(moved, s, []) }
        } else {
            // Over a live entry (not the daemon's order), its bookkeeping stays.
            messages[k, default: TrackedMessage(state: s)].state = s
        }
        if s.lastSeen > clock { clock = s.lastSeen }
    }

    /// The successful deliveries seen since the last drain, left in place (for a reader that must see them
    /// in line order, before the batch drains them).
    public var pendingDeliveries: [SuccessfulDelivery] { deliveries }

    /// The successful deliveries seen since the last drain (only with ``TrackerOptions/recordDeliveries``).
    public mutating func drainDeliveries() -> [SuccessfulDelivery] {
        defer { deliveries.removeAll() }
        return deliveries
    }

    /// Deliveries and first deferrals seen since the last drain (only with ``TrackerOptions/recordTallies``), for
    /// the outcome counts committed with the batch.
    public mutating func drainTallies() -> [OutcomeTally] {
        defer { tallies.removeAll(keepingCapacity: true) }
        return tallies
    }

    // MARK: - State helpers

    /// Removes a message's state for in-place mutation, creating it if new; pair with ``put(_:_:_:)``, which
    /// takes the bookkeeping back.
    private mutating func take(_ k: TrackerKey, host: String, mta: MTA, queueID: String, time: LogTime)
        -> (MessageState, EntryFlags)
    {
        guard var e = messages.removeValue(forKey: k) else {
            // New since the last drain. If the key was dropped earlier in this batch with a row, that
            // deletion is listed already and stays unless the message lives on (see ``deleted``).
            return (MessageState(host: host, mta: mta, queueID: queueID, time: time), .unsaved)
        }
        if time > e.state.lastSeen { e.state.lastSeen = time }
        return (e.state, e.flags)
    }

    /// Changes a message's state where it lies (creating it if new) and marks it dirty: one hash lookup,
    /// known message or new, where ``take(_:host:mta:queueID:time:)`` and ``put(_:_:_:)`` cost two and two
    /// moves. `body` must not reach the tracker (it runs during an access to ``messages``).
    @discardableResult
    private mutating func modify<R>(
        _ k: TrackerKey, host: String, mta: MTA, queueID: String, time: LogTime, _ body: (inout MessageState) -> R
    ) -> R {
        // The default is made (and inserted) only when the key is absent; a new state's `lastSeen` is `time`.
        let (result, turnedDirty) = Self.touch(
            &messages[
                k,
                default: TrackedMessage(
                    state: MessageState(host: host, mta: mta, queueID: queueID, time: time), flags: .unsaved)],
            time: time, body)
        if turnedDirty { listChanged(k) }
        return result
    }

    /// Runs `body` on the entry's state and marks the entry dirty; returns `body`'s result and whether the
    /// entry turned dirty just now (its key is then to be listed).
    private static func touch<R>(_ e: inout TrackedMessage, time: LogTime, _ body: (inout MessageState) -> R)
        -> (R, Bool)
    {
        if time > e.state.lastSeen { e.state.lastSeen = time }
        let result = body(&e.state)
        return (result, e.flags.insert(.dirty).inserted)
    }

    /// Puts a state back (or in) with its bookkeeping, marked dirty.
    private mutating func put(_ k: TrackerKey, _ s: MessageState, _ flags: EntryFlags) {
        var flags = flags
        if flags.insert(.dirty).inserted { listChanged(k) }
        messages[k] = TrackedMessage(state: s, flags: flags)
    }

    /// Lists a message that just turned dirty, for the next drain.
    private mutating func listChanged(_ k: TrackerKey) {
        changedMessages.append(k)
        dirtyCount += 1
    }

    private mutating func drop(_ k: TrackerKey) {
        forget(k, messages.removeValue(forKey: k)?.flags ?? [])
    }

    /// The bookkeeping of a message just removed from ``messages`` (with these flags): a deletion if it may
    /// have a row. Its key may stay listed in ``changedMessages``: the drain skips it.
    private mutating func forget(_ k: TrackerKey, _ flags: EntryFlags) {
        if flags.contains(.dirty) { dirtyCount -= 1 }
        if !flags.contains(.unsaved) { deleted.append(k) }
    }

    /// Links a content-filter hand-off: the new id inherits what the old one knew.
    private mutating func link(parent pk: TrackerKey, child childID: String, host: String, mta: MTA, time: LogTime) {
        let ck = TrackerKey(host: host, mta: mta, queueID: childID)
        guard ck != pk, let parent = messages[pk]?.state else { return }
        var (c, flags) = take(ck, host: host, mta: mta, queueID: childID, time: time)
        c.parentQueueID = parent.queueID
        Self.inherit(from: parent, into: &c)
        put(ck, c, flags)
        if !parent.childQueueIDs.contains(childID) {
            // The parent was put (marked dirty) by the delivery line that handed it on.
            messages[pk]?.state.childQueueIDs.append(childID)
        }
        propagate(from: ck)
    }

    /// Passes what a message learned on to the messages it was handed to (headers may be logged late).
    private mutating func propagate(from k: TrackerKey, depth: Int = 0) {
        guard depth < Self.maxChainDepth, let s = messages[k]?.state, !s.childQueueIDs.isEmpty else { return }
        for childID in s.childQueueIDs {
            let ck = TrackerKey(host: s.host, mta: s.mta, queueID: childID)
            guard let e = messages.removeValue(forKey: ck) else { continue }
            let flags = e.flags
            var c = e.state
            let before = c
            Self.inherit(from: s, into: &c)
            if c != before {
                put(ck, c, flags)
                propagate(from: ck, depth: depth + 1)
            } else {
                messages[ck] = TrackedMessage(state: c, flags: flags)
            }
        }
    }

    private static func inherit(from p: MessageState, into c: inout MessageState) {
        if c.sender == nil { c.sender = p.sender }
        if c.messageID == nil { c.messageID = p.messageID }
        if c.campaignUUID == nil { c.campaignUUID = p.campaignUUID }
        if c.subscriberUUID == nil { c.subscriberUUID = p.subscriberUUID }
        if p.isBounceNotification { c.isBounceNotification = true }
    }

    // MARK: - Recent attempts per domain and host

    private static func recentKey(host: String, mta: MTA, _ kind: String, _ name: String) -> TrackerKey {
        TrackerKey(host: host, mta: mta, queueID: "~" + kind + ":" + name)
    }

    /// Recent-attempt keys carry `~` where a queue id would be (no MTA's queue id contains it).
    static func isRecentKey(_ key: String) -> Bool {
        guard let bar = key.lastIndex(of: "|") else { return false }
        return key[key.index(after: bar)...].hasPrefix("~")
    }

    private mutating func rememberRecent(_ a: StoredAttempt, host: String, domain: String) {
        if recent.count >= Self.recentCap {
            pruneRecent(before: LogTime(microseconds: a.time.microseconds - options.recentAttemptWindow))
            if recent.count >= Self.recentCap {
                for k in TrackerKey.sortedByText(Array(recent.keys)).prefix(Self.recentCap / 2) { dropRecent(k) }
            }
        }
        if !domain.isEmpty { setRecent(Self.recentKey(host: host, mta: a.attempt.mta, "d", domain), a) }
        if let h = a.attempt.remoteHost?.cheaplyLowercased, !h.isEmpty {
            setRecent(Self.recentKey(host: host, mta: a.attempt.mta, "h", h), a)
        }
    }

    private mutating func setRecent(_ k: TrackerKey, _ a: StoredAttempt) {
        if Self.set(&recent[k, default: TrackedAttempt(attempt: a)], a) {
            changedRecent.append(k)
            dirtyCount += 1
        }
    }

    /// Stores `a` in the entry and marks it dirty; whether it turned dirty just now.
    private static func set(_ e: inout TrackedAttempt, _ a: StoredAttempt) -> Bool {
        e.attempt = a
        return e.flags.insert(.dirty).inserted
    }

    private mutating func dropRecent(_ k: TrackerKey) {
        if let e = recent.removeValue(forKey: k), e.flags.contains(.dirty) { dirtyCount -= 1 }
        // Always a deletion: recent attempts keep no record of having been written.
        deleted.append(k)
    }

    private func recentAttempt(host: String, mta: MTA, domain: String, remoteHost: String?, at time: LogTime)
        -> StoredAttempt?
    {
        func fresh(_ a: StoredAttempt?) -> StoredAttempt? {
            guard let a, a.time <= time, time.microseconds - a.time.microseconds <= options.recentAttemptWindow
            else { return nil }
            return a
        }
        if !domain.isEmpty, let a = fresh(recent[Self.recentKey(host: host, mta: mta, "d", domain)]?.attempt) {
            return a
        }
        if let h = remoteHost?.cheaplyLowercased, !h.isEmpty,
            let a = fresh(recent[Self.recentKey(host: host, mta: mta, "h", h)]?.attempt)
        {
            return a
        }
        return nil
    }

    private mutating func pruneRecent(before cutoff: LogTime) {
        // Keys first: dropping while iterating made the loop's copy of the dictionary a real one.
        var old: [TrackerKey] = []
        for (k, e) in recent where e.attempt.time < cutoff { old.append(k) }
        for k in old { dropRecent(k) }
    }
}

/// listmonk's identifying headers.
enum ListmonkHeader {
    case campaign
    case subscriber

    init?(name: String) {
        // The parsers give these two names as the literals below: equal Strings of identical storage
        // compare without reading a byte.
        if name == "X-Listmonk-Campaign" {
            self = .campaign
            return
        }
        if name == "X-Listmonk-Subscriber" {
            self = .subscriber
            return
        }
        let u = name.utf8
        // `x-listmonk-` then `campaign` / `subscriber`, ASCII case-insensitive, no allocation.
        func equalsLower(_ lit: StaticString) -> Bool {
            guard u.count == lit.utf8CodeUnitCount else { return false }
            var i = 0
            for c in u {
                let l = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
                if l != lit.utf8Start[i] { return false }
                i += 1
            }
            return true
        }
        if equalsLower("x-listmonk-campaign") {
            self = .campaign
        } else if equalsLower("x-listmonk-subscriber") {
            self = .subscriber
        } else if name.utf8.first == 0x20 || name.utf8.last == 0x20,
            let trimmed = ListmonkHeader(name: name.trimmingSpaces)
        {
            self = trimmed
        } else {
            return nil
        }
    }

    /// The header value's first word: Postfix appends ` from host[ip]; from=<...> ...` to logged headers.
    static func firstToken(_ value: String) -> String {
        var copy = value
        // On the contiguous bytes with integer offsets: String.UTF8View index steps cost more than the scan.
        return copy.withUTF8 { u -> String? in
            var start = 0
            while start < u.count, u[start] == 0x20 || u[start] == 0x09 { start += 1 }
            var end = start
            while end < u.count, u[end] != 0x20, u[end] != 0x09, u[end] != UInt8(ascii: ";") { end += 1 }
            if end - start >= 2, u[start] == UInt8(ascii: "<"), u[end - 1] == UInt8(ascii: ">") {
                start += 1
                end -= 1
            }
            // Postfix's logged value is already cut at ` from `: usually the whole value is the token,
            // and the value itself (no new String) is the answer.
            if start == 0 && end == u.count { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: u[start..<end]), as: UTF8.self)
        } ?? value
    }
}
