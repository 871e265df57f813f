import Foundation

extension MailboxInputConfig {
    /// The password: the environment variable named by `password_env` when it is set and not empty,
    /// else the first line of `password_file`. Never the configuration text or the command line, so it
    /// cannot leak through `ps` or a shared configuration.
    public func resolvePassword(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(TokenResolutionError) -> String
    {
        if let env = passwordEnv, let value = environment[env], !value.isEmpty { return value }
        guard let file = passwordFile else {
            throw TokenResolutionError(
                description:
                    "mailbox \(name): the environment variable \(passwordEnv ?? "named by password_env") is not set and no password_file is configured; set one of them"
            )
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TokenResolutionError(
                description:
                    "mailbox \(name): password_file \(file) cannot be read (\(error.localizedDescription)); it must exist and be readable by the bouncetail user (mode 0600 bouncetail or 0640 root:bouncetail)"
            )
        }
        // The first line, without its line end (LF or CRLF); spaces inside a password are the password's.
        let first = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init)
        guard let first, !first.isEmpty else {
            throw TokenResolutionError(
                description: "mailbox \(name): password_file \(file) is empty; write the password on its first line")
        }
        return first
    }
}
