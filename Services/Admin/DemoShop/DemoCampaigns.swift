/// The shop's e-mail newsletters: every Tuesday at 10:00, and two days before each double-day sale at
/// 12:00 (the sale's teaser).
struct DemoCampaign: Sendable {
    let dayOffset: Int
    let sentAt: Int64
    let id: String
    let name: String
    let subject: String

    static func schedule(_ calendar: DemoCalendar) -> [DemoCampaign] {
        var campaigns: [DemoCampaign] = []
        for offset in 0..<calendar.days {
            let day = calendar.firstDay + offset
            let date = DemoCalendar.dateText(day)
            let compact = date.replacingOccurrences(of: "-", with: "")
            if (day + 3) % 7 == 1 {
                campaigns.append(DemoCampaign(
                    dayOffset: offset, sentAt: calendar.startOf(dayOffset: offset) + 10 * 3_600_000, id: "cmp-\(compact)-weekly",
                    name: "Weekly picks \(date)", subject: "ของดีประจำสัปดาห์ · This week's picks"
                ))
            }
            let (_, month, dayOfMonth) = DemoCalendar.civil(day + 2)
            if month == dayOfMonth {
                campaigns.append(DemoCampaign(
                    dayOffset: offset, sentAt: calendar.startOf(dayOffset: offset) + 12 * 3_600_000, id: "cmp-\(compact)-\(month)\(month)",
                    name: "\(month).\(month) Sale teaser", subject: "\(month).\(month) ลดสูงสุด 70% · Up to 70% off, starts in 2 days"
                ))
            }
        }
        return campaigns
    }
}
