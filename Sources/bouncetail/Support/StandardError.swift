import Foundation

/// Messages for the operator go to standard error, so standard output stays machine-readable.
enum StandardError {
    static func line(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}
