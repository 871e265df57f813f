import Foundation
import Testing

@testable import BounceDelivery

/// The plain connect `check-listmonk` makes first: a refused port is one clean cause, at once.
@Suite("TCP reachability")
struct TCPReachabilityTests {
    /// A loopback port that was just free: bound, its number read, then closed.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, len)
                _ = getsockname(fd, $0, &len)
            }
        }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    @Test func aClosedLoopbackPortIsRefusedWithOneCleanCause() throws {
        let port = Self.freePort()
        let reach = TCPReachability.check(host: "127.0.0.1", port: port, timeout: .seconds(5))
        #expect(reach == .refused)
        let url = "http://127.0.0.1:\(port)/webhooks/bounce"
        let result = try #require(ListmonkCheck.judge(reach, url: url, host: "127.0.0.1", port: port))
        #expect(result.verdict == .unreachable)
        #expect(
            result.message
                == "could not connect to \(url): connection refused by 127.0.0.1:\(port) (nothing listens on that port)"
        )
        #expect(!result.description.contains("errno"))
    }

    @Test func aListeningPortIsReachableAndLeavesTheVerdictToTheRequest() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, len)
                _ = getsockname(fd, $0, &len)
            }
        }
        #expect(listen(fd, 1) == 0)
        let port = Int(UInt16(bigEndian: a.sin_port))
        let reach = TCPReachability.check(host: "127.0.0.1", port: port, timeout: .seconds(5))
        #expect(reach == .reachable)
        #expect(ListmonkCheck.judge(reach, url: "u", host: "127.0.0.1", port: port) == nil)
    }

    @Test func theEndpointComesFromTheURLWithTheSchemesDefaultPort() {
        let https = TCPReachability.endpoint(of: "https://lists.example.org/listmonk")
        #expect(https?.host == "lists.example.org" && https?.port == 443)
        let http = TCPReachability.endpoint(of: "http://127.0.0.1:9000")
        #expect(http?.host == "127.0.0.1" && http?.port == 9000)
        #expect(TCPReachability.endpoint(of: "lists.example.org")?.host == nil)
    }
}
