/// RFC 3834 automatic replies (out of office, vacation notices, auto-responders): recognised by the
/// fields the RFC and common responders set. Sisimai's `RFC3834` module (lib/Sisimai/RFC3834.pm) lists
/// the same signals: `Auto-Submitted: auto-replied|auto-generated|auto-notified`,
/// `Precedence: auto_reply`, `X-Apple-Action: vacation`, and subjects starting "Auto:",
/// "Auto Response:", "Automatic reply:", "Out of Office:", "Out of the office:"; it leaves alone mail
/// from root@, postmaster@ and mailer-daemon@ (those are reports, not replies).
public enum AutoReply {
    public static func isAutoReply(_ h: MailHeaders) -> Bool {
        let from = (h.value("from") ?? "").lowercased()
        if ["root@", "postmaster@", "mailer-daemon"].contains(where: { from.has($0) }) { return false }
        let subject = (h.value("subject") ?? "").lowercased()
        if subject.has("mail failure -") { return false }
        if let a = h.raw("auto-submitted")?.lowercased(),
            a.hasPrefix("auto-replied") || a.hasPrefix("auto-generated") || a.hasPrefix("auto-notified")
        {
            return true
        }
        if h.raw("precedence")?.lowercased().hasPrefix("auto_reply") == true { return true }
        if h.raw("x-apple-action")?.lowercased().hasPrefix("vacation") == true { return true }
        // Microsoft Exchange and others mark their responders so (common practice, not an RFC).
        if let s = h.raw("x-auto-response-suppress")?.lowercased(), s.contains("all"), h.raw("x-autoreply") != nil {
            return true
        }
        if h.raw("x-autoreply")?.lowercased() == "yes" || h.raw("x-autorespond") != nil { return true }
        let prefixes = [
            "auto:", "auto response:", "automatic reply:", "out of office:", "out of the office:",
            "autoreply:", "auto-reply:", "abwesenheitsnotiz:", "réponse automatique",
        ]
        return prefixes.contains { subject.hasPrefix($0) }
    }
}
