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
            "numbers": "Numbers", "noData": "Nothing in this period.",
            "report.funnel": "Funnel", "report.retention": "Retention", "report.rfm": "RFM", "report.nps": "NPS",
            "report.email": "E-mail", "report.channels": "Channels", "report.cart-abandonment": "Abandoned carts",
            "report.support": "Support", "report.demographics": "Demographics", "report.trends": "Trends",
            "parameter.steps": "Steps (event names, in order)", "parameter.window": "Within", "parameter.breakdown": "Split by property",
            "parameter.interval": "Interval (day, week, month)", "parameter.cohort_event": "Starting event", "parameter.return_event": "Returning event",
            "parameter.event": "Event",
            "funnel": "Profiles at each step", "rfm": "Revenue by recency and frequency score", "recency": "Recency", "frequency": "Frequency",
            "npsScore": "NPS score", "openRate": "Open rate", "visitors": "Visitors", "medianResolution": "Median resolution time",
            "carts": "Carts", "converted": "Converted", "abandoned": "Abandoned", "pending": "Pending", "recovered": "Recovered later",
            "column.breakdown": "Group", "column.step": "Step", "column.event": "Event", "column.profiles": "People",
            "column.conversionFromPrevious": "From previous step", "column.conversionFromFirst": "From first step",
            "column.cohort": "Cohort", "column.kind": "Kind", "column.group": "Group", "column.revenue": "Revenue (THB)",
            "column.starts": "From", "column.responses": "Responses", "column.promoters": "Promoters", "column.passives": "Passives",
            "column.detractors": "Detractors", "column.score": "Score", "column.campaignId": "Campaign", "column.campaignName": "Name",
            "column.delivered": "Delivered", "column.uniqueOpens": "Opened", "column.openRate": "Open rate", "column.uniqueClicks": "Clicked",
            "column.clickThroughRate": "Click-through", "column.bounces": "Bounced", "column.bounceRate": "Bounce rate",
            "column.unsubscribes": "Unsubscribed", "column.channel": "Channel", "column.visitors": "Visitors", "column.sessions": "Sessions",
            "column.orders": "Orders", "column.buyers": "Buyers", "column.conversionRate": "Conversion", "column.dimension": "Dimension",
            "column.value": "Value", "column.opened": "Opened", "column.resolved": "Resolved", "column.medianResolutionHours": "Median hours",
            "column.p90ResolutionHours": "90th percentile hours", "column.carts": "Carts", "column.converted": "Converted",
            "column.abandoned": "Abandoned", "column.pending": "Pending", "column.abandonmentRate": "Abandonment rate",
            "column.abandonedValue": "Left in carts (THB)", "column.recovered": "Recovered", "column.recoveredValue": "Recovered (THB)",
            "column.recoveryRate": "Recovery rate", "column.metric": "Measure", "column.current": "This period", "column.previous": "Previous",
            "column.recency": "Recency", "column.frequency": "Frequency",
            "people": "People", "person": "Person", "searchHelp": "E-mail, phone or user id", "search": "Search",
            "noMatch": "No one holds exactly this e-mail, phone or id.", "createdAt": "known since", "identifiers": "Identifiers",
            "identifierType": "Kind", "identifierValue": "Value", "firstSeen": "First seen", "lastSeen": "Last seen", "unmerge": "Unmerge",
            "segments": "Segments", "none": "None.", "entered": "entered", "exited": "left", "consent": "Consent", "traits": "Traits",
            "trait": "Trait", "value": "Value", "source": "Source", "since": "Since", "computedTraits": "Computed traits",
            "timeline": "Latest events", "history": "Merges, splits and consent history", "mergedFrom": "Merged from", "splitInto": "Split into",
            "granted": "granted", "refused": "refused", "unmerged": "Unmerged; parts:",
            "identifier.email": "E-mail", "identifier.phone": "Phone", "identifier.user_id": "User id", "identifier.anonymous_id": "Device id",
            "newSegment": "New segment", "editSegment": "Edit segment", "noSegments": "No segments yet.", "segment": "Segment",
            "members": "Members", "last30Days": "Last 30 days", "version": "version", "requiresConsent": "Requires consent to",
            "exportMembers": "Members as CSV", "exportHashed": "Hashed audience file (Google, Meta)", "day": "Day", "definition": "Definition",
            "moreInExport": "The first 50 members; the CSV has them all.", "segmentName": "Name", "segmentDescription": "Description",
            "noConsentNeeded": "no consent needed", "preview": "Preview", "save": "Save", "sizeOverTime": "Members over time",
        ],
        .thai: [
            "title": "Kinship", "signIn": "เข้าสู่ระบบ", "signOut": "ออกจากระบบ", "apiKey": "API key",
            "signInHelp": "เข้าสู่ระบบด้วย API key ของเวิร์กสเปซ (kinship keys create)",
            "badKey": "API key นี้ใช้ไม่ได้", "overview": "ภาพรวม", "period": "ช่วงเวลา", "from": "ตั้งแต่", "to": "ถึง",
            "show": "แสดง", "previous": "ช่วงก่อนหน้า", "events": "เหตุการณ์", "activeProfiles": "ลูกค้าที่ใช้งาน",
            "identifiedShare": "ระบุตัวตนแล้ว", "orders": "คำสั่งซื้อ", "revenue": "รายได้ (บาท)", "averageOrderValue": "ยอดเฉลี่ยต่อคำสั่งซื้อ (บาท)",
            "conversionRate": "อัตราการซื้อ", "downloadCSV": "ดาวน์โหลด CSV", "language": "English", "otherLanguage": "en",
            "numbers": "ตัวเลข", "noData": "ไม่มีข้อมูลในช่วงนี้",
            "report.funnel": "ช่องทางการขาย (Funnel)", "report.retention": "การกลับมาซื้อ", "report.rfm": "RFM", "report.nps": "NPS",
            "report.email": "อีเมล", "report.channels": "ช่องทาง", "report.cart-abandonment": "ตะกร้าที่ถูกทิ้ง",
            "report.support": "บริการลูกค้า", "report.demographics": "ข้อมูลประชากร", "report.trends": "แนวโน้ม",
            "parameter.steps": "ขั้นตอน (ชื่อเหตุการณ์ตามลำดับ)", "parameter.window": "ภายใน", "parameter.breakdown": "แยกตาม property",
            "parameter.interval": "ช่วง (day, week, month)", "parameter.cohort_event": "เหตุการณ์เริ่มต้น", "parameter.return_event": "เหตุการณ์ที่กลับมา",
            "parameter.event": "เหตุการณ์",
            "funnel": "จำนวนคนในแต่ละขั้นตอน", "rfm": "รายได้ตามคะแนนความใหม่และความถี่", "recency": "ความใหม่", "frequency": "ความถี่",
            "npsScore": "คะแนน NPS", "openRate": "อัตราการเปิด", "visitors": "ผู้เข้าชม", "medianResolution": "เวลาแก้ปัญหา (มัธยฐาน)",
            "carts": "ตะกร้า", "converted": "ซื้อแล้ว", "abandoned": "ถูกทิ้ง", "pending": "รอดูผล", "recovered": "กลับมาซื้อภายหลัง",
            "column.breakdown": "กลุ่ม", "column.step": "ขั้นตอน", "column.event": "เหตุการณ์", "column.profiles": "จำนวนคน",
            "column.conversionFromPrevious": "จากขั้นก่อนหน้า", "column.conversionFromFirst": "จากขั้นแรก",
            "column.cohort": "กลุ่มเริ่มต้น", "column.kind": "ประเภท", "column.group": "กลุ่ม", "column.revenue": "รายได้ (บาท)",
            "column.starts": "ตั้งแต่", "column.responses": "คำตอบ", "column.promoters": "ผู้สนับสนุน", "column.passives": "เฉย ๆ",
            "column.detractors": "ผู้ไม่พอใจ", "column.score": "คะแนน", "column.campaignId": "แคมเปญ", "column.campaignName": "ชื่อ",
            "column.delivered": "ส่งถึง", "column.uniqueOpens": "เปิด", "column.openRate": "อัตราการเปิด", "column.uniqueClicks": "คลิก",
            "column.clickThroughRate": "อัตราการคลิก", "column.bounces": "ตีกลับ", "column.bounceRate": "อัตราตีกลับ",
            "column.unsubscribes": "ยกเลิกรับ", "column.channel": "ช่องทาง", "column.visitors": "ผู้เข้าชม", "column.sessions": "เซสชัน",
            "column.orders": "คำสั่งซื้อ", "column.buyers": "ผู้ซื้อ", "column.conversionRate": "อัตราการซื้อ", "column.dimension": "มิติ",
            "column.value": "ค่า", "column.opened": "เปิด", "column.resolved": "แก้แล้ว", "column.medianResolutionHours": "ชั่วโมง (มัธยฐาน)",
            "column.p90ResolutionHours": "ชั่วโมง (เปอร์เซ็นไทล์ที่ 90)", "column.carts": "ตะกร้า", "column.converted": "ซื้อแล้ว",
            "column.abandoned": "ถูกทิ้ง", "column.pending": "รอดูผล", "column.abandonmentRate": "อัตราการทิ้ง",
            "column.abandonedValue": "มูลค่าที่ค้างในตะกร้า (บาท)", "column.recovered": "กลับมาซื้อ", "column.recoveredValue": "มูลค่าที่กลับมา (บาท)",
            "column.recoveryRate": "อัตราการกลับมา", "column.metric": "ตัวชี้วัด", "column.current": "ช่วงนี้", "column.previous": "ช่วงก่อน",
            "column.recency": "ความใหม่", "column.frequency": "ความถี่",
            "people": "ลูกค้า", "person": "ข้อมูลลูกค้า", "searchHelp": "อีเมล เบอร์โทร หรือ user id", "search": "ค้นหา",
            "noMatch": "ไม่พบลูกค้าที่มีอีเมล เบอร์โทร หรือ id นี้", "createdAt": "รู้จักตั้งแต่", "identifiers": "ตัวระบุ",
            "identifierType": "ประเภท", "identifierValue": "ค่า", "firstSeen": "พบครั้งแรก", "lastSeen": "พบล่าสุด", "unmerge": "แยกออก",
            "segments": "กลุ่มลูกค้า", "none": "ไม่มี", "entered": "เข้า", "exited": "ออก", "consent": "ความยินยอม", "traits": "คุณลักษณะ",
            "trait": "คุณลักษณะ", "value": "ค่า", "source": "แหล่งข้อมูล", "since": "ตั้งแต่", "computedTraits": "คุณลักษณะที่คำนวณ",
            "timeline": "เหตุการณ์ล่าสุด", "history": "ประวัติการรวม การแยก และความยินยอม", "mergedFrom": "รวมมาจาก", "splitInto": "แยกเป็น",
            "granted": "ยินยอม", "refused": "ปฏิเสธ", "unmerged": "แยกแล้ว จำนวนส่วน:",
            "identifier.email": "อีเมล", "identifier.phone": "เบอร์โทร", "identifier.user_id": "User id", "identifier.anonymous_id": "รหัสอุปกรณ์",
            "newSegment": "สร้างกลุ่มลูกค้าใหม่", "editSegment": "แก้ไขกลุ่มลูกค้า", "noSegments": "ยังไม่มีกลุ่มลูกค้า", "segment": "กลุ่มลูกค้า",
            "members": "สมาชิก", "last30Days": "30 วันที่ผ่านมา", "version": "เวอร์ชัน", "requiresConsent": "ต้องได้รับความยินยอมด้าน",
            "exportMembers": "สมาชิกเป็น CSV", "exportHashed": "ไฟล์กลุ่มเป้าหมายแบบแฮช (Google, Meta)", "day": "วัน", "definition": "เงื่อนไข",
            "moreInExport": "แสดง 50 คนแรก ไฟล์ CSV มีครบทุกคน", "segmentName": "ชื่อ", "segmentDescription": "คำอธิบาย",
            "noConsentNeeded": "ไม่ต้องขอความยินยอม", "preview": "ดูตัวอย่าง", "save": "บันทึก", "sizeOverTime": "จำนวนสมาชิกตามเวลา",
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
