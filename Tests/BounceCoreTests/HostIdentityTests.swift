import Testing

@testable import BounceCore

/// The host part of the identity: the name a line gives, reduced so that a file and the journal agree.
@Suite("Host identity")
struct HostIdentityTests {
    @Test(arguments: [
        ("mx1", "mx1"),
        ("MX1", "mx1"),
        ("mx1.example.org", "mx1"),
        ("Mx1.Example.ORG.", "mx1"),
        ("mx2.example.org", "mx2"),
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8::7", "2001:db8::7"),
        ("fe80::1%eth0", "fe80::1%eth0"),
    ])
    func otherHostsAreTheirFirstLabelLowerCased(logged: String, identity: String) {
        let h = HostIdentity(hostName: "central", machineNames: ["logs1"])
        #expect(h.identity(of: logged) == identity)
    }

    @Test func noHostAndThisMachinesNamesAreHostName() {
        let h = HostIdentity(hostName: "Mail.Example.org", machineNames: ["vm.internal"])
        #expect(h.local == "mail")
        #expect(h.identity(of: nil) == "mail")
        #expect(h.identity(of: "") == "mail")
        // The machine's own name (what syslog and `_HOSTNAME` write) is this machine, whatever host_name says.
        #expect(h.identity(of: "vm") == "mail")
        #expect(h.identity(of: "VM.internal") == "mail")
        #expect(h.identity(of: "mail.example.org") == "mail")
        #expect(h.identity(of: "mail") == "mail")
        #expect(h.identity(of: "mx2") == "mx2")
    }

    @Test func aliasesWinByWholeNameThenFirstLabel() {
        let h = HostIdentity(
            hostName: "logs1", machineNames: ["logs1"],
            aliases: ["MX1.DC1.example.org": "mx1-dc1", "mx1.dc2.example.org": "mx1-dc2", "smtp-out": "mx3"])
        #expect(h.identity(of: "mx1.dc1.example.org") == "mx1-dc1")
        #expect(h.identity(of: "mx1.dc2.example.org.") == "mx1-dc2")
        #expect(h.identity(of: "smtp-out.example.org") == "mx3")
        #expect(h.identity(of: "SMTP-OUT") == "mx3")
        // A bare `mx1` matches neither whole name: it stays `mx1`.
        #expect(h.identity(of: "mx1") == "mx1")
    }

    @Test func anAliasedHostNameIsTheLocalIdentity() {
        let h = HostIdentity(hostName: "vm", machineNames: ["vm"], aliases: ["vm": "Mail-Out.example.org"])
        #expect(h.local == "Mail-Out.example.org")
        #expect(h.identity(of: nil) == "Mail-Out.example.org")
        #expect(h.identity(of: "vm.example.org") == "Mail-Out.example.org")
    }

    /// A stored key's host read back must not move again: every identity is its own identity.
    @Test func identitiesAreFixedPoints() {
        let h = HostIdentity(
            hostName: "Mail.Example.org", machineNames: ["vm"],
            aliases: ["a.example.org": "Node.A", "b": "b-east"])
        for name in ["mx1.example.org", "MX2", "vm", "a.example.org", "b.example.org", "192.0.2.1", "", "mail"] {
            let once = h.identity(of: name)
            #expect(h.identity(of: once) == once, "\(name) → \(once)")
        }
    }

    @Test func theCacheGivesTheSameAnswers() {
        var h = HostIdentity(hostName: "mx1", machineNames: ["mx1"], aliases: ["x.example": "y"])
        let names = ["mx2.example.org", "mx2.example.org", "MX3", "x.example", nil, "mx1.example.org", "MX3"]
        for n in names { #expect(h.cachedIdentity(of: n) == h.identity(of: n)) }
    }

    @Test func theFingerprintNamesTheConfiguration() {
        let a = HostIdentity(hostName: "mx1", machineNames: ["mx1"])
        #expect(a.fingerprint == HostIdentity(hostName: "MX1.example.org", machineNames: ["mx1"]).fingerprint)
        #expect(a.fingerprint != HostIdentity(hostName: "mx2", machineNames: ["mx1"]).fingerprint)
        #expect(a.fingerprint != HostIdentity(hostName: "mx1", machineNames: ["mx1"], aliases: ["b": "c"]).fingerprint)
    }
}
