/// What came back from one `POST /webhooks/bounce`, before it is judged: an HTTP answer or a transport failure.
public enum ListmonkAnswer: Sendable, Hashable {
    /// A complete HTTP answer.
    /// - Parameters:
    ///   - status: the status code.
    ///   - contentType: the `Content-Type` header, if any.
    ///   - retryAfter: the raw `Retry-After` header, if any.
    ///   - location: the `Location` header of a redirect, if any.
    ///   - body: the body, cut at ``ListmonkAnswer/maxBodyBytes``.
    case http(status: Int, contentType: String?, retryAfter: String?, location: String?, body: [UInt8])
    /// No (complete) answer: the request may or may not have reached listmonk.
    case transport(TransportFailure)

    /// How much of an answer body is kept; listmonk's answers are a few dozen bytes, its 404 page a few KiB.
    public static let maxBodyBytes = 16 * 1024

    /// Why no answer came.
    public struct TransportFailure: Sendable, Hashable, CustomStringConvertible {
        /// The kinds of transport failure that matter to the dispatcher and to the operator.
        public enum Kind: String, Sendable, Hashable {
            /// Nothing listens there, or the host could not be resolved or reached.
            case connect
            /// The connection could not be made in the connect timeout.
            case connectTimeout
            /// No complete answer within the request timeout.
            case timeout
            /// The connection closed before a complete answer (the request may have been processed).
            case closed
            /// The server's certificate is not trusted, or the TLS handshake failed.
            case tls
            /// The configured URL cannot be used (bad scheme, no host).
            case configuration
            /// Anything else.
            case other
        }

        public var kind: Kind
        public var detail: String

        public init(kind: Kind, detail: String) {
            self.kind = kind
            self.detail = detail
        }

        public var description: String { "\(kind.rawValue): \(detail)" }
    }
}
