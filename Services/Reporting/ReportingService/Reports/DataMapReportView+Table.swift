import KinshipPrivacy

extension DataMapReportView: Report {
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
