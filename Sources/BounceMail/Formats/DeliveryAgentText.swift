/// The words of a local delivery agent (mail.local, procmail, maildrop, vpopmail's vdelivermail,
/// vmailmgr's vdeliver, Dovecot's LDA) quoted in a mailer daemon's report: when the agent refused the
/// message, its own sentence states the reason (a user that does not exist, a full mailbox), whatever
/// status the MTA wrapped around it.
///
/// The agents' markers and sentences are those of Sisimai's MDA decoder (sisimai/p5-sisimai
/// lib/Sisimai/MDA.pm@21cfb9321ba94f9bc72f2b5a46e2dda70c1d9c45 `inquire`), which RFC3464.pm applies to
/// every recipient of a report from "mail delivery subsystem", "mailer-daemon" or "postmaster".
enum DeliveryAgentText {
    struct Agent: Sendable {
        let name: String
        /// Text that shows the agent wrote part of the report; with a second marker, both in this order.
        let marker: String
        let secondMarker: String?
        /// Lower-case sentences, each with the reason it states.
        let sentences: [(String, String)]
    }

    static let agents: [Agent] = [
        Agent(
            name: "dovecot", marker: "Your message to ", secondMarker: " was automatically rejected:",
            sentences: [
                ("mailbox doesn't exist: ", "userunknown"),
                ("quota exceeded", "mailboxfull"),
                ("not enough disk space", "mailboxfull"),
            ]),
        Agent(
            name: "mail.local", marker: "mail.local: ", secondMarker: nil,
            sentences: [
                (": unknown user:", "userunknown"),
                (": user unknown", "userunknown"),
                (": invalid mailbox path", "userunknown"),
                (": user missing home directory", "userunknown"),
                ("disc quota exceeded", "mailboxfull"),
                ("mailbox full or quota exceeded", "mailboxfull"),
                ("temporary file write error", "systemerror"),
            ]),
        Agent(
            name: "procmail", marker: "procmail: ", secondMarker: nil,
            sentences: [
                ("quota exceeded while writing", "mailboxfull"),
                ("no space left to finish writing", "systemfull"),
            ]),
        Agent(
            name: "maildrop", marker: "maildrop: ", secondMarker: nil,
            sentences: [
                ("invalid user specified.", "userunknown"),
                ("cannot find system user", "userunknown"),
                ("maildir over quota.", "mailboxfull"),
            ]),
        Agent(
            name: "vpopmail", marker: "vdelivermail: ", secondMarker: nil,
            sentences: [
                ("sorry, no mailbox here by that name.", "userunknown"),
                ("account is locked email bounced", "filtered"),
                ("user does not exist, but will deliver to ", "filtered"),
                ("domain is over quota", "mailboxfull"),
                ("user is over quota", "mailboxfull"),
            ]),
        Agent(
            name: "vmailmgr", marker: "vdeliver: ", secondMarker: nil,
            sentences: [
                ("invalid or unknown base user or domain", "userunknown"),
                ("invalid or unknown virtual user", "userunknown"),
                ("user name does not refer to a virtual user", "userunknown"),
                ("delivery failed due to system quota violation", "mailboxfull"),
            ]),
    ]

    /// What the agent said: its name, the reason its sentence states, and that line.
    struct Finding: Equatable {
        let agent: String
        let reason: String
        let line: String
    }

    /// The agent's finding in a report's text, when the report comes from a mailer daemon (its From
    /// begins "mail delivery subsystem", "mailer-daemon" or "postmaster", as MDA.pm requires) and a
    /// line of the text holds one of the agent's sentences.
    static func find(headers h: MailHeaders, text: String) -> Finding? {
        let from = (h.value("from") ?? "").lowercased()
        guard ["mail delivery subsystem", "mailer-daemon", "postmaster"].contains(where: { from.hasPrefix($0) })
        else { return nil }
        for agent in agents {
            guard let first = text.firstRange(of: agent.marker) else { continue }
            if let second = agent.secondMarker {
                guard let r = text.firstRange(of: second), first.lowerBound <= r.lowerBound else { continue }
            }
            for line in text.split(separator: "\n") {
                let lower = line.lowercased()
                if let (_, reason) = agent.sentences.first(where: { lower.has($0.0) }) {
                    return Finding(agent: agent.name, reason: reason, line: line.trimmingCharacters(in: " "))
                }
            }
            return nil
        }
        return nil
    }
}
