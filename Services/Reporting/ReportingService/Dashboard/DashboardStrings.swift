import Hummingbird

/// Every label the dashboard shows, one table per language: Thai for the marketers it is made for, English.
/// A page takes `?lang=th|en`, else the browser's `Accept-Language`, else English.
enum DashboardStrings {
    enum Language: String, CaseIterable, Sendable {
        case english = "en"
        case thai = "th"
    }

    static let tables: [Language: [String: String]] = [
        .english: [
            "title": "Kinship", "signIn": "Sign in", "signOut": "Sign out", "apiKey": "API key",
            "signInHelp": "Sign in with an API key of your workspace (kinship keys create).",
            "badKey": "That API key is not valid.", "overview": "Overview", "period": "Period", "from": "From", "to": "To",
            "show": "Show", "previous": "previous period", "events": "Events", "activeProfiles": "Active people",
            "identifiedShare": "Identified", "orders": "Orders", "revenue": "Revenue (THB)", "averageOrderValue": "Average order (THB)",
            "conversionRate": "Conversion", "downloadCSV": "Download CSV", "language": "ภาษาไทย", "otherLanguage": "th",
        ],
        .thai: [
            "title": "Kinship", "signIn": "เข้าสู่ระบบ", "signOut": "ออกจากระบบ", "apiKey": "API key",
            "signInHelp": "เข้าสู่ระบบด้วย API key ของเวิร์กสเปซ (kinship keys create)",
            "badKey": "API key นี้ใช้ไม่ได้", "overview": "ภาพรวม", "period": "ช่วงเวลา", "from": "ตั้งแต่", "to": "ถึง",
            "show": "แสดง", "previous": "ช่วงก่อนหน้า", "events": "เหตุการณ์", "activeProfiles": "ลูกค้าที่ใช้งาน",
            "identifiedShare": "ระบุตัวตนแล้ว", "orders": "คำสั่งซื้อ", "revenue": "รายได้ (บาท)", "averageOrderValue": "ยอดเฉลี่ยต่อคำสั่งซื้อ (บาท)",
            "conversionRate": "อัตราการซื้อ", "downloadCSV": "ดาวน์โหลด CSV", "language": "English", "otherLanguage": "en",
        ],
    ]

    static func language(for request: Request) -> Language {
        if let asked = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) { return asked }
        let accepted = request.headers[.acceptLanguage] ?? ""
        // The first language the browser lists that the dashboard speaks.
        for entry in accepted.split(separator: ",") {
            let code = entry.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased().prefix(2)
            if let language = Language(rawValue: String(code)) { return language }
        }
        return .english
    }
}
