/// Sisimai's reason names (go-sisimai v5 `Index()`), the only names a pattern set may use.
///
/// `delivered`, `feedback` and `vacation` are listed so a set can name them, but the classifier only
/// sees failures; a rule that yields one of them is still answered with its policy.
public enum SisimaiReason {
    /// Every reason name, in Sisimai's alphabetical order.
    public static let all: Set<String> = [
        "authfailure", "badreputation", "blocked", "contenterror", "delivered", "exceedlimit", "expired",
        "failedstarttls", "feedback", "filtered", "hasmoved", "hostunknown", "mailboxfull", "mailererror",
        "mesgtoobig", "networkerror", "norelaying", "notaccept", "notcompliantrfc", "onhold", "policyviolation",
        "rejected", "requireptr", "securityerror", "spamdetected", "speeding", "suppressed", "suspend",
        "syntaxerror", "systemerror", "systemfull", "toomanyconn", "undefined", "userunknown", "vacation",
        "virusdetected",
    ]

    /// Newer Sisimai names that a pattern file may use, and the name of ours each becomes. Sisimai 5.5
    /// consolidated `Speeding` and `TooManyConn` into `RateLimited`, and `MesgTooBig` and `ExceedLimit`
    /// into `EmailTooLarge` (https://github.com/sisimai/go-sisimai/issues/307,
    /// https://github.com/sisimai/go-sisimai/pull/318). Our names stay: listmonk's operators already see
    /// them in `meta.reason`; each new name maps to the older name that covers its common case.
    public static let aliases: [String: String] = [
        "ratelimited": "speeding",
        "emailtoolarge": "mesgtoobig",
    ]

    /// Our name for `name`: itself, or the reason a newer Sisimai name maps to.
    public static func canonical(_ name: String) -> String { aliases[name] ?? name }
}
