/// Escapes text for HTML element content and double- or single-quoted attribute values. Everything the report
/// prints that came from a log line (domains, reasons, remote texts) passes through here: any local user can
/// write to syslog.
enum HTMLEscape {
    static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if c.properties.generalCategory == .control && c != "\n" && c != "\t" {
                    out += " "
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }
}
