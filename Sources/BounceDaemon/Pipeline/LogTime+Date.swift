import BounceCore
import Foundation

extension LogTime {
    /// The time of a Foundation date, to the microsecond.
    public init(date: Date) {
        self.init(microseconds: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    /// The Foundation date of this time.
    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }
}
