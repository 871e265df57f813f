/// Names the MTA or provider that wrote a report from its header fields alone, as the guards at the
/// top of Sisimai's lhost `inquire` functions recognise them (sisimai/p5-sisimai
/// lib/Sisimai/Lhost/<Module>.pm@21cfb9321ba94f9bc72f2b5a46e2dda70c1d9c45). Only guards that are
/// specific to one vendor are listed (a field no one else writes, or a From and Subject pair); the
/// generic ones ("Mail Delivery System", "Returned mail: ") name nobody.
///
/// The name labels a report that was already read as one: it never makes a mail a bounce, since an
/// ordinary mail from an AOL or Zoho user carries the same fields. It lets ``VendorPhrases`` trust a
/// vendor's own sentences in that vendor's reports.
enum VendorHeaders {
    /// One vendor's guard: every listed test must hold.
    struct Guard: Sendable {
        let format: String
        let test: @Sendable (MailHeaders) -> Bool
    }

    static let guards: [Guard] = [
        // Aol.pm: "return undef unless $mhead->{'x-aol-ip'}".
        Guard(format: "aol") { $0.raw("x-aol-ip") != nil },
        // GSuite.pm: From mailer-daemon@googlemail.com, a "Delivery Status Notification" subject, and
        // X-Gm-Message-State (Gmail.pm has the first two only).
        Guard(format: "gsuite") { h in
            from(h).has("<mailer-daemon@googlemail.com>") && subject(h).has("Delivery Status Notification")
                && h.raw("x-gm-message-state") != nil
        },
        // IMailServer.pm: Subject begins "Undeliverable Mail " or X-Mailer begins "<SMTP32 v".
        Guard(format: "imailserver") { h in
            subject(h).hasPrefix("Undeliverable Mail") && !subject(h).hasPrefix("Undeliverable Mail: \"")
                || (h.value("x-mailer") ?? "").hasPrefix("<SMTP32 v")
        },
        // MailMarshalSMTP.pm: Subject begins 'Undeliverable Mail: "'.
        Guard(format: "mailmarshalsmtp") { subject($0).hasPrefix("Undeliverable Mail: \"") },
        // Notes.pm: Subject begins "Undeliverable message".
        Guard(format: "notes") { subject($0).hasPrefix("Undeliverable message") },
        // Domino.pm: Subject begins "DELIVERY FAILURE:" or "DELIVERY_FAILURE:".
        Guard(format: "domino") {
            subject($0).hasPrefix("DELIVERY FAILURE:") || subject($0).hasPrefix("DELIVERY_FAILURE:")
        },
        // FML.pm: X-MLServer, From a "-admin@" address and a Message-ID with ".FML".
        Guard(format: "fml") { h in
            h.raw("x-mlserver") != nil && from(h).has("-admin@") && (h.value("message-id") ?? "").has(".FML")
        },
        // McAfee.pm: X-NAI-Header "Modified by McAfee" and Subject "Delivery Status".
        Guard(format: "mcafee") { h in
            (h.value("x-nai-header") ?? "").has("Modified by McAfee") && subject(h) == "Delivery Status"
        },
        // Biglobe.pm: From postmaster@ at biglobe/inacatv/tmtv/ttv .ne.jp and Subject "Returned mail:".
        Guard(format: "biglobe") { h in
            let f = from(h)
            return f.has("postmaster@") && ["biglobe", "inacatv", "tmtv", "ttv"].contains { f.has("@\($0).ne.jp") }
                && subject(h).hasPrefix("Returned mail:")
        },
        // EinsUndEins.pm: From '"Mail Delivery System"' and this exact subject.
        Guard(format: "einsundeins") { h in
            from(h).hasPrefix("\"Mail Delivery System\"")
                && subject(h) == "Mail delivery failed: returning message to sender"
        },
        // Amavis.pm: From begins '"Content-filter at '.
        Guard(format: "amavis") { from($0).hasPrefix("\"Content-filter at ") },
        // MXLogic.pm: its own X-MX-Bounce / X-MXL-Hash / X-MXL-NoteHash fields.
        Guard(format: "mxlogic") { h in
            h.raw("x-mx-bounce") != nil || h.raw("x-mxl-hash") != nil || h.raw("x-mxl-notehash") != nil
        },
        // GMX.pm, Yahoo.pm, Zoho.pm, Activehunter.pm: a field of their own.
        Guard(format: "gmx") { $0.raw("x-gmx-antispam") != nil },
        Guard(format: "yahoo") { $0.raw("x-ymailisg") != nil },
        Guard(format: "zoho") { $0.raw("x-zohomail") != nil },
        Guard(format: "activehunter") { $0.raw("x-ahmailid") != nil },
        // Exchange2003.pm: X-MS-Embedded-Report.
        Guard(format: "exchange2003") { $0.raw("x-ms-embedded-report") != nil },
        // Facebook.pm: this From and this Subject, exactly.
        Guard(format: "facebook") { h in
            from(h) == "Facebook <mailer-daemon@mx.facebook.com>"
                && subject(h) == "Sorry, your message could not be delivered"
        },
        // Yandex.pm: X-Yandex-Uniq and From mailer-daemon@yandex.ru.
        Guard(format: "yandex") { h in h.raw("x-yandex-uniq") != nil && from(h) == "mailer-daemon@yandex.ru" },
    ]

    /// Readers whose guards take a report but that state no reasons of their own: Sendmail.pm (Subject
    /// with "see transcript for details" or beginning "Warning: ") and Postfix.pm (Subject
    /// "Undelivered Mail Returned to Sender" or with "SMTP server: errors from ").
    static func isSendmailOrPostfix(_ h: MailHeaders) -> Bool {
        let s = subject(h)
        return s.has("see transcript for details") || s.hasPrefix("Warning: ")
            || s == "Undelivered Mail Returned to Sender" || s.has("SMTP server: errors from ")
    }

    /// True when one of Sisimai's vendor readers would take the report, so its fallback reader (with
    /// its local-delivery-agent step, ``DeliveryAgentText``) would not.
    static func takenByAVendorReader(_ h: MailHeaders) -> Bool {
        name(h) != nil || isSendmailOrPostfix(h)
    }

    /// The vendor whose guard the headers pass, or nil.
    static func name(_ h: MailHeaders) -> String? {
        guards.first { $0.test(h) }?.format
    }

    private static func from(_ h: MailHeaders) -> String { h.value("from") ?? "" }
    private static func subject(_ h: MailHeaders) -> String { h.value("subject") ?? "" }
}
