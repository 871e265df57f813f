import Foundation

/// The outcome of `bouncetail check-listmonk`: whether bounces can be delivered, and if not, what to change.
public struct ListmonkCheckResult: Sendable, Hashable, CustomStringConvertible {
    /// The short answer.
    public enum Verdict: String, Sendable, Hashable {
        /// listmonk answered an authenticated `{}` exactly as a healthy install does.
        case ok
        /// listmonk answered, and the answer names a setting, credential or URL to fix.
        case misconfigured
        /// No answer: nothing listens, the name does not resolve, TLS failed or it timed out.
        case unreachable
        /// An answer listmonk does not give: probably not listmonk, or a proxy in between.
        case unexpected
    }

    public var verdict: Verdict
    /// The HTTP status, nil when no answer came.
    public var status: Int?
    /// The webhook URL that was asked.
    public var url: String
    /// What happened, in operator words (one or two sentences).
    public var message: String
    /// What to do about it; nil when all is well.
    public var advice: String?

    public var isOK: Bool { verdict == .ok }

    public var description: String {
        "\(verdict.rawValue): \(message)" + (advice.map { "\n  → \($0)" } ?? "")
    }
}

extension ListmonkClient {
    /// Proves URL, route, credentials, permission and bounce processing without recording anything: posts `{}`,
    /// which a healthy listmonk answers with 400 `Invalid fields: email / subscriber_uuid` (its checks run in that
    /// order, the body last), and explains any other answer.
    public func checkListmonk() async -> ListmonkCheckResult {
        let url = (try? configuration.webhookURL()) ?? configuration.baseURL
        // One plain connect first: the HTTP client would retry a refused port until the connect timeout.
        if let (host, port) = TCPReachability.endpoint(of: configuration.baseURL) {
            let reach = TCPReachability.check(host: host, port: port, timeout: configuration.connectTimeout)
            if let failed = ListmonkCheck.judge(reach, url: url, host: host, port: port) { return failed }
        }
        let answer = await send(body: Array("{}".utf8))
        return ListmonkCheck.judge(answer, url: url, user: configuration.credentials.user)
    }
}

/// The pure part of the check: an answer to `{}` → a verdict with advice.
public enum ListmonkCheck {
    /// Judges the plain connect made before the request: nil when it connected (the request decides).
    public static func judge(_ reach: TCPReachability.Result, url: String, host: String, port: Int)
        -> ListmonkCheckResult?
    {
        func unreachable(_ message: String, _ advice: String) -> ListmonkCheckResult {
            ListmonkCheckResult(verdict: .unreachable, status: nil, url: url, message: message, advice: advice)
        }
        let at = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        switch reach {
        case .reachable: return nil
        case .refused:
            return unreachable(
                "could not connect to \(url): connection refused by \(at) (nothing listens on that port)",
                "start listmonk (or its proxy), or correct the host and port in [listmonk] url")
        case .unresolvable(let why):
            return unreachable(
                "could not connect to \(url): the host name \(host) does not resolve (\(why))",
                "check the host name in [listmonk] url and this machine's DNS")
        case .timedOut:
            return unreachable(
                "could not connect to \(url): no answer from \(at) within the connect timeout",
                "check that the host is up and that no firewall drops the traffic; raise [listmonk] connect_timeout if the network is slow"
            )
        case .failed(let why):
            return unreachable(
                "could not connect to \(url): \(why) (\(at))",
                "check the host and port in [listmonk] url and the network between this machine and listmonk")
        }
    }

    /// Judges listmonk's answer to an authenticated `POST /webhooks/bounce` with body `{}`.
    public static func judge(_ answer: ListmonkAnswer, url: String, user: String) -> ListmonkCheckResult {
        func result(_ verdict: ListmonkCheckResult.Verdict, _ status: Int?, _ message: String, _ advice: String?)
            -> ListmonkCheckResult
        {
            ListmonkCheckResult(verdict: verdict, status: status, url: url, message: message, advice: advice)
        }
        switch answer {
        case .transport(let failure):
            switch failure.kind {
            case .connect:
                return result(
                    .unreachable, nil, "could not connect to \(url): \(failure.detail)",
                    "check the host and port in the base URL, that listmonk (or its proxy) is running, and the firewall"
                )
            case .connectTimeout, .timeout:
                return result(
                    .unreachable, nil, "no answer from \(url) in time (\(failure.detail))",
                    "check the host is reachable from this machine; raise the timeouts if listmonk is slow")
            case .closed:
                return result(
                    .unreachable, nil, "the connection to \(url) closed without an answer",
                    "listmonk before v6.2.0 crashes this request when bounce processing is off: enable Settings → "
                        + "Bounces → \"Enable bounce processing\"; otherwise check listmonk's log and any proxy")
            case .tls:
                return result(
                    .unreachable, nil, "TLS to \(url) failed: \(failure.detail)",
                    "if listmonk uses a private CA, set the delivery CA file to that CA's PEM certificate; "
                        + "check the certificate's name matches the host in the base URL")
            case .configuration:
                return result(
                    .misconfigured, nil, "the URL cannot be used: \(failure.detail)", "fix the listmonk base URL")
            case .other:
                return result(.unreachable, nil, "the request to \(url) failed: \(failure.detail)", nil)
            }
        case .http(let status, let contentType, _, let location, let body):
            let message = answer.listmonkMessage
            let said = message.map { "\"\($0)\"" } ?? ListmonkAnswer.excerpt(body, limit: 160)
            switch status {
            case 400 where message == ListmonkClient.healthyProbeMessage:
                return result(
                    .ok, 400,
                    "listmonk at \(url) accepts bounces from API user \(user): the route, the credentials, the "
                        + "webhooks:post_bounce permission and bounce processing are in order (nothing was recorded)",
                    nil)
            case 400:
                return result(
                    .unexpected, 400,
                    "listmonk answered 400 \(said) instead of the expected \"\(ListmonkClient.healthyProbeMessage)\"",
                    "a proxy may be rewriting the body; compare with curl -u \(user):TOKEN -d '{}' \(url)")
            case 200..<300:
                return result(
                    .unexpected, status, "\(url) accepted an empty bounce (\(said)); listmonk never does",
                    "this is not listmonk's bounce webhook: check the base URL and any proxy in front of listmonk")
            case 300..<400:
                return result(
                    .misconfigured, status, "\(url) redirects to \(location ?? "(no Location)")",
                    "set the base URL to the address it redirects to (often https:// instead of http://)")
            case 401:
                return result(
                    .misconfigured, 401, "\(url) asked for HTTP authentication (401, \(said))",
                    "listmonk v4 and later never answer 401: this is listmonk v2/v3 or a proxy with its own login. "
                        + "Upgrade listmonk, or let the proxy pass requests to /webhooks/bounce through")
            case 403:
                return result(
                    .misconfigured, 403, "listmonk refused the request (403, \(said))", ListmonkAnswer.authHint(message)
                )
            case 404 where (contentType ?? "").lowercased().contains("html"):
                return result(
                    .misconfigured, 404, "listmonk at \(url) has no bounce webhook (its 404 page)",
                    "in listmonk, Settings → Bounces: turn on \"Enable bounce webhooks\" and save (listmonk reloads); "
                        + "if it is on, check the base URL's sub-path")
            case 404:
                return result(
                    .misconfigured, 404, "\(url) was not found (\(said))",
                    "check the base URL: it must be listmonk's root, with its sub-path if listmonk is served under one")
            case 503 where message == "Internal server error":
                return result(
                    .misconfigured, 503, "listmonk's bounce webhook is on but bounce processing is off (503)",
                    "in listmonk, Settings → Bounces: turn on \"Enable bounce processing\" and save")
            case 500..<600:
                return result(
                    .unreachable, status, "listmonk or its proxy failed (\(status), \(said))",
                    "look at listmonk's and the proxy's logs; bouncetail retries such answers by itself")
            default:
                return result(.unexpected, status, "unexpected answer \(status) from \(url) (\(said))", nil)
            }
        }
    }
}
