import BounceCore
import BounceStore

/// Opens the state database the way every command and the daemon use it.
public enum StateDatabase {
    /// Opens (creating when needed) `path`, storing each event's webhook body as listmonk will receive it.
    public static func open(_ path: String) throws -> StateDB {
        var options = StateDBOptions()
        options.bodyEncoder = { Array($0.webhookJSON().utf8) }
        return try StateDB(path: path, options: options)
    }
}
