import BounceCore

/// `[hosts]`: how the host each line names becomes the host of its identity (see docs/fleet.md).
///
/// The syslog header's host and the journal's `_HOSTNAME` scope queue ids: across a fleet two MTAs log the
/// same short Postfix queue id. Names are reduced to their lower-cased first label (`MX1.example.org` →
/// `mx1`); this machine's own names and lines without a host (Exim's mainlog) take `general.host_name`.
public struct HostsConfig: Sendable, Equatable {
    /// A name as logged (any case; the whole name or its first label) → the identity to use instead, e.g.
    /// two machines whose first labels collide (`mx1.dc1.example.org`, `mx1.dc2.example.org`), or a machine
    /// that logs under several names.
    public var aliases: [String: String] = [:]
    /// The names this machine's own lines carry besides `general.host_name` (its `gethostname`): not a
    /// key, a fact about the machine, kept here so that tests can set it.
    public var machineNames: [String] = [SystemInfo.hostName()]
    public init() {}

    /// The identity rule for `hostName` (`general.host_name`).
    public func identity(hostName: String) -> HostIdentity {
        HostIdentity(hostName: hostName, machineNames: machineNames, aliases: aliases)
    }

    /// One line for `check-config`.
    public func summary(hostName: String) -> String {
        let id = identity(hostName: hostName)
        var s =
            "hosts: this machine's lines and lines without a host are \"\(id.local)\"; other hosts by their "
            + "first label, lower-cased"
        if !aliases.isEmpty {
            s += "; aliases: " + aliases.keys.sorted().map { "\($0) → \(aliases[$0]!)" }.joined(separator: ", ")
        }
        return s
    }
}

extension HostsConfig {
    init(reading r: TableReader) {
        self.init()
        let table = r.table("aliases")
        for name in table.table?.keys.sorted() ?? [] {
            guard let v = table.nonEmptyString(name) else { continue }
            let value = v.trimmingWhitespace()
            if name.trimmingWhitespace().isEmpty {
                table.invalid(name, "an empty host name cannot be aliased; write the name as the logs show it")
            } else if value.contains(where: { $0 == "|" || $0 == "%" || $0 == " " || $0 == "\t" }) {
                table.invalid(
                    name, "\"\(v)\" is not a host identity; use letters, digits, dots and dashes, e.g. \"mx1-dc1\"")
            } else {
                aliases[name] = value
            }
        }
        table.finish()
        r.finish()
    }
}
