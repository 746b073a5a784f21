import Foundation

/// The data map's answer (`GET /v1/reports/data-map`, docs/reporting.md): one entry per key and place, the
/// most used first. Reporting writes it; the CLI's `kinship datamap` reads it.
public struct DataMapReportView: Codable, Sendable, Equatable {
    public struct Key: Codable, Sendable, Equatable {
        /// `properties`, `traits` or `context.traits`.
        public let place: String
        public let key: String
        public let kind: DataClassification.Kind
        /// By the key's name, raised to `personal` when values in clear look like e-mails or phone numbers.
        public let sensitivity: DataClassification.Sensitivity
        /// Events in the period holding the key.
        public let values: Int
        /// Of those, the values stored sealed (encrypted under the workspace's key).
        public let encrypted: Int
        /// Values stored in clear whose text looks like an e-mail address or a phone number.
        public let personalLookingInClear: Int
        public let firstSeen: Date
        public let lastSeen: Date
        /// The consent categories of the events holding the key, by the workspace's privacy policy: what a
        /// person refuses to stop it being collected.
        public let consentCategories: [String]

        /// `encrypted`, `partly encrypted` or `clear`.
        public let protection: String
        /// Personal or sensitive, and not every value encrypted: what the privacy work must close.
        public let exposed: Bool

        public init(
            place: String, key: String, kind: DataClassification.Kind, sensitivity: DataClassification.Sensitivity, values: Int,
            encrypted: Int, personalLookingInClear: Int, firstSeen: Date, lastSeen: Date, consentCategories: [String]
        ) {
            self.place = place
            self.key = key
            self.kind = kind
            self.sensitivity = sensitivity
            self.values = values
            self.encrypted = encrypted
            self.personalLookingInClear = personalLookingInClear
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.consentCategories = consentCategories
            protection = encrypted == values ? "encrypted" : encrypted > 0 ? "partly encrypted" : "clear"
            exposed = sensitivity != .none && encrypted < values
        }
    }

    public let from: Date
    public let to: Date
    public let keys: [Key]
    /// More keys than `DataMapReport.maximumKeys` were seen; the least used are left out.
    public let truncated: Bool

    public init(from: Date, to: Date, keys: [Key], truncated: Bool) {
        self.from = from
        self.to = to
        self.keys = keys
        self.truncated = truncated
    }
}
