/// Everything `bouncetail report` shows, in one value: the terminal summary, the JSON, the CSV and the HTML page
/// are all drawn from it, so they cannot disagree. Days are UTC dates (`2026-11-03`); times are RFC 3339.
public struct DeliverabilityReport: Sendable, Hashable, Codable {
    /// What was selected.
    public struct Selection: Sendable, Hashable, Codable {
        public var since: String?
        public var until: String?
        public var domain: String?
        public var campaign: String?
        /// A domain ranks by bounce rate only with at least this many outcomes (delivered + hard + soft).
        public var minVolume: Int
    }

    /// Outcomes of one domain, one day, or all (see ``ReportDefinitions``).
    public struct Outcomes: Sendable, Hashable, Codable {
        public var delivered = 0
        public var hard = 0
        public var soft = 0
        public var complaint = 0
        /// Messages deferred at least once.
        public var deferred = 0
        /// Sender-fault holds: a subset of hard and soft.
        public var held = 0

        public init() {}

        /// delivered + hard + soft: the outcomes a rate is taken over.
        public var volume: Int { delivered + hard + soft }
        /// (hard + soft) / (delivered + hard + soft); nil without any outcome.
        public var bounceRate: Double? { volume == 0 ? nil : Double(hard + soft) / Double(volume) }
        public var bounces: Int { hard + soft }
    }

    /// One recipient domain over the whole selection.
    public struct DomainRow: Sendable, Hashable, Codable {
        public var domain: String
        public var outcomes: Outcomes
        /// The bounce rate, nil without outcomes.
        public var bounceRate: Double?
        /// Whether its volume reaches ``Selection/minVolume`` (only those rank by rate).
        public var ranked: Bool
        /// Its latest remote text, and the reason it was classified as.
        public var latestText: String?
        public var latestReason: String?
    }

    /// A domain's outcomes on one day (for the rate chart).
    public struct DomainDay: Sendable, Hashable, Codable {
        public var domain: String
        public var day: String
        public var outcomes: Outcomes
        public var bounceRate: Double?
    }

    /// Bounces of one reason on one day.
    public struct ReasonDay: Sendable, Hashable, Codable {
        public var day: String
        public var reason: String
        public var count: Int
    }

    /// Bounces of one reason and type over the selection.
    public struct ReasonTotal: Sendable, Hashable, Codable {
        public var reason: String
        public var type: String
        public var count: Int
    }

    /// Sender-fault holds of one provider (recipient domain).
    public struct Holds: Sendable, Hashable, Codable {
        public var domain: String
        public var count: Int
        public var reasons: [String: Int]
        public var latestText: String
        public var latestAt: String
    }

    /// A spike guard trip or release, or a delivery pause or resumption.
    public struct Fact: Sendable, Hashable, Codable {
        public var at: String
        public var kind: String
        public var subject: String
        public var status: Int?
        public var detail: String
    }

    /// Delivery to listmonk (or the local store) now.
    public struct Delivery: Sendable, Hashable, Codable {
        public var pending: Int
        public var held: Int
        public var sent: Int
        public var dead: Int
        /// Bounces in the local store (sink = sqlite).
        public var stored: Int
        /// Seconds the oldest pending event has waited.
        public var oldestPendingAgeSeconds: Double?
        /// The latest pause without a later resumption: delivery is paused now (as far as it was recorded).
        public var pausedSince: String?
        public var pauseReason: String?
        /// Pauses and resumptions inside the selection.
        public var pauses: [Fact]
        /// The latest dead letters, newest first.
        public var recentDead: [DeadLetter]
    }

    public struct DeadLetter: Sendable, Hashable, Codable {
        public var email: String
        public var reason: String
        public var status: Int?
        public var answer: String
        public var at: String?
    }

    public var generatedAt: String
    public var selection: Selection
    /// Every day with outcomes or bounces, in order.
    public var days: [String]
    public var totals: Outcomes
    public var bounceRate: Double?
    /// Hosts seen, with their totals.
    public var hosts: [String: Outcomes]
    /// Every domain, most bounces first.
    public var domains: [DomainRow]
    /// Ranked domains (volume ≥ minVolume) by bounce rate, highest first (at most 10).
    public var topByRate: [String]
    /// Domains by bounces (hard + soft), most first (at most 10).
    public var topByCount: [String]
    /// Per day for the domains of ``topByCount`` (at most 5): the rate chart.
    public var dailyByDomain: [DomainDay]
    public var reasons: [ReasonTotal]
    public var reasonsByDay: [ReasonDay]
    public var senderFaultHolds: [Holds]
    public var spikeGuard: [Fact]
    public var delivery: Delivery
}
