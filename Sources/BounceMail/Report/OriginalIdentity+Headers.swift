import BounceCore

extension OriginalIdentity {
    /// The identity fields of a returned message's headers: listmonk's `X-Listmonk-Campaign` and
    /// `X-Listmonk-Subscriber`, the `Message-ID`, and the UUIDs from listmonk's `List-Unsubscribe` URL
    /// (`<root>/subscription/<campaign>/<subscriber>`) where the headers are missing.
    public init(headers h: MailHeaders) {
        self.init()
        messageID = h.raw("message-id").flatMap(Self.messageID)
        campaignUUID = h.raw("x-listmonk-campaign").flatMap(Self.uuid)
        subscriberUUID = h.raw("x-listmonk-subscriber").flatMap(Self.uuid)
        if campaignUUID == nil || subscriberUUID == nil, let lu = h.raw("list-unsubscribe"),
            let (c, s) = Self.unsubscribeUUIDs(lu)
        {
            campaignUUID = campaignUUID ?? c
            subscriberUUID = subscriberUUID ?? s
        }
        to = h.raw("to").flatMap(Addresses.first)
    }

    /// Fills what `self` lacks from `other`.
    public func merged(with other: OriginalIdentity) -> OriginalIdentity {
        OriginalIdentity(
            messageID: messageID ?? other.messageID, campaignUUID: campaignUUID ?? other.campaignUUID,
            subscriberUUID: subscriberUUID ?? other.subscriberUUID, to: to ?? other.to)
    }

    static func messageID(_ raw: String) -> String? {
        let t = raw.trimmingCharacters(in: " \t")
        if let a = t.firstIndex(of: "<"), let b = t[a...].firstIndex(of: ">") {
            let inner = t[t.index(after: a)..<b]
            return inner.isEmpty ? nil : String(inner)
        }
        return t.isEmpty || t.contains(" ") ? nil : t
    }

    static func uuid(_ raw: String) -> String? {
        let t = raw.trimmingCharacters(in: " \t<>")
        return UUIDSyntax.isWellFormed(t) ? t.lowercased() : nil
    }

    /// The two UUIDs after `/subscription/` in a List-Unsubscribe URL.
    static func unsubscribeUUIDs(_ raw: String) -> (String, String)? {
        guard let r = raw.firstRange(of: "/subscription/") else { return nil }
        let parts = raw[r.upperBound...].split(whereSeparator: { $0 == "/" || $0 == ">" || $0 == "?" || $0 == "," })
        guard parts.count >= 2 else { return nil }
        let c = String(parts[0])
        let s = String(parts[1])
        guard UUIDSyntax.isWellFormed(c), UUIDSyntax.isWellFormed(s) else { return nil }
        return (c.lowercased(), s.lowercased())
    }
}
