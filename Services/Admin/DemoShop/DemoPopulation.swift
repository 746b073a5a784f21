/// Who the shop's customers are: names (Thai script and their Latin spelling), provinces, occupations,
/// income bands, and the devices they use.
enum DemoPopulation {
    /// Thai script and Latin spelling of common given names.
    static let femaleNames: [(thai: String, latin: String)] = [
        ("สมใจ", "Somjai"), ("มาลี", "Malee"), ("นภา", "Napa"), ("วันเพ็ญ", "Wanphen"), ("ปิยะนุช", "Piyanuch"),
        ("กัญญา", "Kanya"), ("สุภาพร", "Supaporn"), ("อรุณี", "Arunee"), ("ณัฐธิดา", "Natthida"), ("พิมพ์ชนก", "Pimchanok"),
        ("ศิริพร", "Siriporn"), ("จันทร์เพ็ญ", "Chanphen"), ("ธิดารัตน์", "Thidarat"), ("รัตนา", "Rattana"), ("อัญชลี", "Anchalee"),
        ("ปวีณา", "Paweena"), ("กมลวรรณ", "Kamonwan"), ("สุนิสา", "Sunisa"), ("เบญจมาศ", "Benjamas"), ("ชนิดา", "Chanida"),
    ]
    static let maleNames: [(thai: String, latin: String)] = [
        ("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("ประเสริฐ", "Prasert"), ("วิชัย", "Wichai"), ("ธนากร", "Thanakorn"),
        ("กิตติ", "Kitti"), ("อนุชา", "Anucha"), ("ณัฐพล", "Nattapon"), ("ชัยวัฒน์", "Chaiwat"), ("สุรชัย", "Surachai"),
        ("พงศกร", "Pongsakorn"), ("ธีรพงษ์", "Teerapong"), ("อภิชาติ", "Apichart"), ("วีระ", "Weera"), ("ปกรณ์", "Pakorn"),
        ("เอกชัย", "Ekkachai"), ("ศุภชัย", "Supachai"), ("จักรพันธ์", "Jakkapan"), ("ภาณุ", "Panu"), ("ธนวัฒน์", "Thanawat"),
    ]
    static let familyNames: [(thai: String, latin: String)] = [
        ("ศรีสุข", "Srisuk"), ("ใจดี", "Jaidee"), ("วงศ์สวัสดิ์", "Wongsawat"), ("รัตนพันธ์", "Rattanaphan"), ("สุขสวัสดิ์", "Suksawat"),
        ("ทองดี", "Thongdee"), ("แก้วมณี", "Kaewmanee"), ("บุญมา", "Boonma"), ("จันทร์หอม", "Chanhom"), ("พรหมมา", "Phromma"),
        ("ชัยมงคล", "Chaimongkol"), ("ศรีวงศ์", "Sriwong"), ("เพชรรัตน์", "Petcharat"), ("สายทอง", "Saithong"), ("มั่นคง", "Munkong"),
        ("อินทร์แก้ว", "Inkaew"), ("ประเสริฐสุข", "Prasertsuk"), ("ทองคำ", "Thongkham"), ("นาคสวัสดิ์", "Naksawat"), ("วิเศษศักดิ์", "Wisetsak"),
    ]

    /// Provinces with the share of customers (percent-ish weights): Bangkok and its neighbours first.
    static let provinces: [(name: String, weight: Int)] = [
        ("Bangkok", 34), ("Nonthaburi", 7), ("Samut Prakan", 6), ("Pathum Thani", 5), ("Chon Buri", 6),
        ("Chiang Mai", 6), ("Khon Kaen", 4), ("Nakhon Ratchasima", 4), ("Phuket", 3), ("Songkhla", 3),
        ("Udon Thani", 3), ("Surat Thani", 2), ("Rayong", 3), ("Chiang Rai", 2), ("Ubon Ratchathani", 2),
        ("Nakhon Pathom", 3), ("Phitsanulok", 2), ("Ayutthaya", 2),
    ]
    static let provinceWeights = provinces.map(\.weight)

    /// Monthly income in baht.
    static let incomeBands: [(name: String, weight: Int)] = [
        ("< 15,000", 18), ("15,000–30,000", 34), ("30,001–50,000", 25), ("50,001–100,000", 16), ("> 100,000", 7),
    ]
    static let incomeWeights = incomeBands.map(\.weight)

    static let occupations: [(name: String, weight: Int)] = [
        ("office worker", 30), ("business owner", 12), ("student", 12), ("government officer", 9), ("freelancer", 9),
        ("factory worker", 8), ("homemaker", 7), ("healthcare worker", 5), ("teacher", 5), ("retired", 3),
    ]
    static let occupationWeights = occupations.map(\.weight)

    /// Age at the end of the period: 18–70, most between 22 and 45.
    static let ageBands: [(range: ClosedRange<Int>, weight: Int)] = [
        (18...24, 20), (25...34, 34), (35...44, 24), (45...54, 13), (55...70, 9),
    ]
    static let ageWeights = ageBands.map(\.weight)

    /// The e-mail domains of the demo (reserved for examples, so nothing is ever delivered anywhere).
    static let emailDomains = ["example.com", "example.co.th", "example.net", "example.org"]

    /// Thai mobile prefixes (the digits after the leading 0).
    static let mobilePrefixes = ["61", "62", "63", "64", "65", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "91", "92", "93", "94", "95", "96", "97", "98", "99"]
}

/// A device someone uses, with what its tracker says about it.
struct DemoDevice: Sendable {
    enum Kind: Sendable { case desktop, mobileWeb, iosApp, androidApp }

    let kind: Kind
    let anonymousId: String
    let userAgent: String
    /// For apps: `context.device.type`, model and OS.
    let model: String
    let os: (name: String, version: String)

    var isApp: Bool { kind == .iosApp || kind == .androidApp }

    /// The kinds of a person's devices: the first is where they usually shop.
    static let kindWeights = [38, 40, 10, 12]
    static let kinds: [Kind] = [.desktop, .mobileWeb, .iosApp, .androidApp]

    static func make(_ kind: Kind, random: inout DemoRandom) -> DemoDevice {
        let anonymousId = random.uuid()
        switch kind {
        case .desktop:
            let agent = random.pick(desktopAgents)
            return DemoDevice(kind: kind, anonymousId: anonymousId, userAgent: agent.agent, model: "", os: agent.os)
        case .mobileWeb:
            let agent = random.pick(mobileAgents)
            return DemoDevice(kind: kind, anonymousId: anonymousId, userAgent: agent.agent, model: agent.model, os: agent.os)
        case .iosApp:
            let model = random.pick(["iPhone15,2", "iPhone14,7", "iPhone16,1", "iPhone13,2"])
            let version = random.pick(["17.6.1", "18.1", "18.2"])
            return DemoDevice(
                kind: kind, anonymousId: anonymousId, userAgent: "KinshipShop/4.2.0 (iPhone; iOS \(version); Scale/3.00)",
                model: model, os: ("iOS", version)
            )
        case .androidApp:
            let model = random.pick(["SM-A556E", "SM-S921B", "CPH2591", "V2303", "23090RA98G"])
            let version = random.pick(["13", "14", "15"])
            return DemoDevice(
                kind: kind, anonymousId: anonymousId, userAgent: "okhttp/4.12.0 KinshipShop/4.2.0 (Android \(version); \(model))",
                model: model, os: ("Android", version)
            )
        }
    }

    static let desktopAgents: [(agent: String, os: (name: String, version: String))] = [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", ("Windows", "10")),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", ("Windows", "10")),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", ("Mac OS X", "10.15.7")),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", ("Mac OS X", "10.15.7")),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0", ("Windows", "10")),
    ]
    static let mobileAgents: [(agent: String, model: String, os: (name: String, version: String))] = [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "iPhone", ("iOS", "18.1")),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1", "iPhone", ("iOS", "17.6.1")),
        ("Mozilla/5.0 (Linux; Android 14; SM-A556E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36", "SM-A556E", ("Android", "14")),
        ("Mozilla/5.0 (Linux; Android 13; CPH2591) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.100 Mobile Safari/537.36", "CPH2591", ("Android", "13")),
        ("Mozilla/5.0 (Linux; Android 14; V2303) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36", "V2303", ("Android", "14")),
        ("Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "SM-S921B", ("Android", "14")),
    ]
}

/// Where a session came from, as UTM parameters (or none, for direct and organic visits).
struct DemoChannel: Sendable {
    let name: String
    let source: String?
    let medium: String?
    let campaign: String?
    let referrer: String?

    /// The channels of an ordinary web session, with their weights. E-mail sessions come from clicks.
    static let web: [(channel: DemoChannel, weight: Int)] = [
        (DemoChannel(name: "search ads", source: "google", medium: "cpc", campaign: "brand-search", referrer: "https://www.google.com/"), 16),
        (DemoChannel(name: "social", source: "facebook", medium: "paid_social", campaign: "fb-retargeting", referrer: "https://m.facebook.com/"), 12),
        (DemoChannel(name: "social", source: "tiktok", medium: "paid_social", campaign: "tiktok-shop-live", referrer: "https://www.tiktok.com/"), 8),
        (DemoChannel(name: "social", source: "instagram", medium: "social", campaign: nil, referrer: "https://l.instagram.com/"), 5),
        (DemoChannel(name: "LINE", source: "line", medium: "social", campaign: "line-oa-broadcast", referrer: nil), 12),
        (DemoChannel(name: "affiliate", source: "involve_asia", medium: "affiliate", campaign: "cashback", referrer: "https://www.example-deals.co.th/"), 6),
        (DemoChannel(name: "organic", source: nil, medium: nil, campaign: nil, referrer: "https://www.google.com/"), 18),
        (DemoChannel(name: "direct", source: nil, medium: nil, campaign: nil, referrer: nil), 23),
    ]
    static let webWeights = web.map(\.weight)
    static let direct = web[7].channel
    static let push = DemoChannel(name: "push", source: "app", medium: "push", campaign: "app-push", referrer: nil)

    static func email(campaign: String) -> DemoChannel {
        DemoChannel(name: "email", source: "newsletter", medium: "email", campaign: campaign, referrer: nil)
    }

    /// How a session is counted per day in the truth: `source/medium`, or `(direct)` / `(organic)`.
    var key: String {
        if let source, let medium { return "\(source)/\(medium)" }
        return referrer == nil ? "(direct)" : "(organic)"
    }
}
