import Foundation
import KinshipPrivacy

/// The data map's answer: one entry per key and place, the most used first.
public struct DataMapReportView: Report, Codable, Equatable {
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

        init(
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

    public var table: ReportTable {
        ReportTable(
            columns: [
                "place", "key", "kind", "sensitivity", "values", "encrypted", "protection", "exposed", "personalLookingInClear", "firstSeen", "lastSeen",
                "consentCategories",
            ],
            rows: keys.map { key in
                [
                    key.place, key.key, key.kind.rawValue, key.sensitivity.rawValue, ReportCell.count(key.values), ReportCell.count(key.encrypted),
                    key.protection, key.exposed ? "yes" : "no", ReportCell.count(key.personalLookingInClear), ReportCell.time(key.firstSeen), ReportCell.time(key.lastSeen),
                    key.consentCategories.joined(separator: " "),
                ]
            }
        )
    }
}
