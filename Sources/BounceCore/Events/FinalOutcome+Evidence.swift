extension FinalOutcome {
    /// What the classifier should look at for this outcome: the deciding attempt's fields, with the status
    /// of the outcome (`expired` for an expiry, even though its evidence is an earlier deferral) and the
    /// recipient's domain. An expiry with no attempt on record gives an empty diagnostic, which the
    /// classifier can only call `expired`.
    public var failureEvidence: FailureEvidence {
        let status: DeliveryStatus
        switch kind {
        case .bounced: status = .bounced
        case .expired: status = .expired
        case .deferredTooLong: status = .deferred
        }
        let domain = recipient.lastIndex(of: "@").map { String(recipient[recipient.index(after: $0)...]).lowercased() }
        guard let a = evidence else {
            return FailureEvidence(mta: mta, status: status, diagnostic: "", recipientDomain: domain)
        }
        return FailureEvidence(
            mta: a.mta, status: status, dsn: a.dsn, replyCode: a.replyCode, enhancedCode: a.enhancedCode,
            smtpStage: a.smtpStage, diagnostic: a.diagnostic, remoteHost: a.remoteHost?.lowercased(),
            recipientDomain: domain)
    }

    /// The address listmonk sent to, lower-cased: `orig_to` when it is an address, else the recipient.
    public var email: String {
        if let o = originalRecipient, o.contains("@") { return o.trimmingSpaces.lowercased() }
        return recipient.trimmingSpaces.lowercased()
    }

    /// The identity of this outcome (see ``DedupKey``).
    public var dedupKey: String { DedupKey.make(self) }
}
