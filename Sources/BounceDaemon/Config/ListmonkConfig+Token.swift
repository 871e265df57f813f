import Foundation

/// The listmonk token could not be found or read.
public struct TokenResolutionError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and how to fix it.
    public var description: String
}

extension ListmonkConfig {
    /// The API token: the environment variable named by `token_env` when it is set and not empty,
    /// otherwise the first line of `token_file`, otherwise nil. The token never comes from the
    /// configuration file or the command line, so it cannot leak through `ps` or a shared config.
    public func resolveToken(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let value = environment[tokenEnv]?.trimmingWhitespace(), !value.isEmpty { return value }
        guard let tokenFile else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: tokenFile, encoding: .utf8)
        } catch {
            throw TokenResolutionError(
                description:
                    "listmonk.token_file \(tokenFile): cannot be read (\(error.localizedDescription)); it must exist and be readable by the bouncetail user (mode 0640 root:bouncetail or 0600 bouncetail)"
            )
        }
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingWhitespace() ?? ""
        guard !first.isEmpty else {
            throw TokenResolutionError(
                description: "listmonk.token_file \(tokenFile): is empty; write the API user's token on its first line")
        }
        return first
    }
}
