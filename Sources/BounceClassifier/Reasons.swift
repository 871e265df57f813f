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
}
