import Foundation

extension DeliverabilityReport {
    /// The report as JSON (snake_case keys, sorted, rates as fractions between 0 and 1).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// One CSV row per day and domain: `day,domain,delivered,hard,soft,complaint,deferred,held,bounce_rate`
    /// (rate empty without outcomes), for spreadsheets and scripts.
    public func csv(perDay rows: [DomainDay]) -> String {
        var out = "day,domain,delivered,hard,soft,complaint,deferred,held,bounce_rate\n"
        for r in rows {
            let o = r.outcomes
            let rate = r.bounceRate.map { String(format: "%.6f", $0) } ?? ""
            out +=
                [
                    r.day, Self.csvField(r.domain), "\(o.delivered)", "\(o.hard)", "\(o.soft)", "\(o.complaint)",
                    "\(o.deferred)", "\(o.held)", rate,
                ].joined(separator: ",") + "\n"
        }
        return out
    }

    /// RFC 4180 quoting; a field starting with `=`, `+`, `-` or `@` gets a leading `'` so a spreadsheet does not
    /// run it as a formula (a domain comes from a log line any local user can write).
    static func csvField(_ s: String) -> String {
        var v = s
        if let f = v.first, "=+-@".contains(f) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
