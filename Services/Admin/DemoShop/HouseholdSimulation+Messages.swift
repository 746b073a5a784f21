import KinshipCore

/// How the messages look: as kinship.js and Segment's mobile libraries send them from a device, or as a
/// server library sends them from the shop's back end.
extension HouseholdSimulation {
    /// Whose device a client message comes from, and who is signed in on it (nil: nobody).
    struct Sender {
        let person: Int?
        let device: DemoDevice
        let userId: String?
    }

    /// A page view (web) or screen view (app).
    @discardableResult
    mutating func page(_ page: ClientPages.Page, at time: Int64, person: Int?, device: DemoDevice, userId: String?) -> Bool {
        clientMessage(device.isApp ? "screen" : "page", event: nil, name: page.name, at: time,
                      sender: Sender(person: person, device: device, userId: userId), page: page) { json in
            guard !device.isApp else { return }
            json.field("path", page.path)
            json.field("url", page.url)
            json.field("title", page.title)
            json.field("referrer", page.referrer)
        }
    }

    @discardableResult
    mutating func productEvent(_ event: String, _ product: DemoProduct, quantity: Int, at time: Int64, person: Int?, device: DemoDevice, userId: String?) -> Bool {
        clientMessage("track", event: event, at: time, sender: Sender(person: person, device: device, userId: userId)) { json in
            Self.writeProduct(product, quantity: quantity, into: &json)
            json.field("currency", "THB")
        }
    }

    mutating func cartViewed(_ cart: [(product: DemoProduct, quantity: Int)], at time: Int64, person: Int, device: DemoDevice, userId: String) {
        clientMessage("track", event: "Cart Viewed", at: time, sender: Sender(person: person, device: device, userId: userId)) { json in
            json.field("cart_id", "cart-" + DemoRandom.hex(DemoRandom.mix(UInt64(time)), digits: 10))
            Self.writeProducts(cart, into: &json)
        }
    }

    mutating func checkoutStarted(_ cart: [(product: DemoProduct, quantity: Int)], at time: Int64, person: Int, device: DemoDevice, userId: String) {
        clientMessage("track", event: "Checkout Started", at: time, sender: Sender(person: person, device: device, userId: userId)) { json in
            json.money("value", satang: cart.reduce(0) { $0 + $1.product.priceSatang * $1.quantity })
            json.field("currency", "THB")
            Self.writeProducts(cart, into: &json)
        }
    }

    /// identify from the device the person signed in on: all traits the first time, else the e-mail.
    mutating func identify(_ number: Int, on device: DemoDevice, at time: Int64, full: Bool) {
        let person = people[number]
        let email = person.email(at: time)
        let phone = full ? person.phoneSpelling(&random) : nil
        let typedEmail = SimulatedPerson.typed(email, &random)
        let sent = clientMessage("identify", event: nil, at: time, sender: Sender(person: number, device: device, userId: person.userId),
                                 bodyKey: "traits", necessary: true) { json in
            json.field("email", typedEmail)
            guard full else { return }
            json.field("phone", phone)
            json.field("first_name", person.traits.firstName)
            json.field("last_name", person.traits.lastName)
            json.field("gender", person.traits.gender)
            json.field("birthday", person.traits.birthday)
            json.openObject("address")
            json.field("state", person.traits.province)
            json.field("country", "TH")
            json.closeObject()
            json.field("income_band", person.traits.incomeBand)
            json.field("occupation", person.traits.occupation)
            json.time("created_at", person.traits.signedUpAt)
        }
        if sent {
            knowEmail(email, of: number)
            if phone != nil { people[number].truth.phone = person.e164 }
        }
    }

    /// `Consent Preference Updated` with the person's choices, from the banner on their device.
    mutating func consentUpdated(_ number: Int, device: DemoDevice?, at time: Int64) {
        let person = people[number]
        let write: (inout JSONBuilder) -> Void = { json in person.writeCategoryPreferences(into: &json) }
        var sent = false
        if let device {
            sent = clientMessage("track", event: "Consent Preference Updated", at: time,
                                 sender: Sender(person: number, device: device, userId: person.userId), necessary: true, write)
        } else if let userId = person.userId {
            sent = serverTrack("Consent Preference Updated", at: time, person: number, userId: userId, write)
        }
        if sent { people[number].truth.consentRecorded = true }
    }

    /// A track from the shop's back end (orders, e-mail, tickets): the user id, no device.
    @discardableResult
    mutating func serverTrack(
        _ event: String, at time: Int64, person: Int, userId: String, email: String? = nil, delivery: DemoMessage.Delivery = .batch,
        _ properties: (inout JSONBuilder) -> Void
    ) -> Bool {
        guard time < calendar.end else { return false }
        // The shop's servers honour the person's choices too: nothing of a category they refused is sent.
        switch ConsentCategory.standardCategory(type: "track", event: event) {
        case ConsentCategory.analytics where !people[person].analytics: return false
        case ConsentCategory.marketing where !people[person].marketing: return false
        default: break
        }
        var json = JSONBuilder()
        json.openObject()
        json.field("type", "track")
        json.field("event", event)
        json.field("messageId", nextMessageId())
        json.time("timestamp", time)
        json.field("userId", userId)
        json.openObject("properties")
        properties(&json)
        json.closeObject()
        json.openObject("context")
        json.openObject("library")
        if delivery == .pixel {
            json.field("name", "kinship-email-pixel")
            json.field("version", "1")
        } else {
            json.field("name", "analytics-python")
            json.field("version", "2.3.3")
        }
        json.closeObject()
        if let email {
            json.openObject("traits")
            json.field("email", email)
            json.closeObject()
        }
        json.closeObject()
        json.closeObject()
        return emit(json.bytes, at: time, person: person, delivery: delivery)
    }

    /// A message from a device: what kinship.js or the app's library adds (library, user agent or app and
    /// device, the page and campaign, locale, consent). Analytics messages of someone who refused analytics
    /// are not sent at all: the tracker honours the choice.
    @discardableResult
    mutating func clientMessage(
        _ type: String, event: String?, name: String? = nil, at time: Int64, sender: Sender, page: ClientPages.Page? = nil,
        bodyKey: StaticString = "properties", necessary: Bool = false, _ body: (inout JSONBuilder) -> Void
    ) -> Bool {
        let preferences = sender.person.map { people[$0] }
        if !necessary, let preferences, !preferences.analytics { return false }
        if !necessary, sender.person == nil, !visitorAnalytics { return false }
        guard time < calendar.end else { return false }
        let device = sender.device
        var json = JSONBuilder(capacity: 900)
        json.openObject()
        json.field("type", type)
        json.field("event", event)
        json.field("name", name)
        json.field("messageId", nextMessageId())
        json.time("timestamp", time)
        json.field("userId", sender.userId ?? placeholderUserId(of: device))
        json.field("anonymousId", device.anonymousId)
        json.openObject(bodyKey)
        body(&json)
        json.closeObject()
        json.openObject("context")
        json.openObject("library")
        switch device.kind {
        case .desktop, .mobileWeb: json.field("name", "kinship.js"); json.field("version", "1.0.0")
        case .iosApp: json.field("name", "analytics-ios"); json.field("version", "4.1.8")
        case .androidApp: json.field("name", "analytics-android"); json.field("version", "4.11.3")
        }
        json.closeObject()
        json.field("userAgent", device.userAgent)
        json.field("locale", "th-TH")
        if device.isApp {
            json.openObject("app")
            json.field("name", "Kinship Shop")
            json.field("version", "4.2.0")
            json.field("build", "420")
            json.closeObject()
            json.openObject("device")
            json.field("type", device.kind == .iosApp ? "ios" : "android")
            json.field("model", device.model)
            json.closeObject()
            json.openObject("os")
            json.field("name", device.os.name)
            json.field("version", device.os.version)
            json.closeObject()
        } else if let page {
            json.openObject("page")
            json.field("path", page.path)
            json.field("url", page.url)
            json.field("title", page.title)
            json.field("referrer", page.referrer)
            json.closeObject()
        }
        if let campaign = page?.campaign {
            json.openObject("campaign")
            json.field("name", campaign.campaign)
            json.field("source", campaign.source)
            json.field("medium", campaign.medium)
            json.closeObject()
        }
        if let preferences {
            json.openObject("consent")
            preferences.writeCategoryPreferences(into: &json)
            json.closeObject()
        }
        json.closeObject()
        json.closeObject()
        let sent = emit(json.bytes, at: time, person: sender.person, mayBeLate: device.isApp)
        if sent, let number = sender.person {
            useDevice(device, by: number)
            if event == "Product Added" || event == "Checkout Started" {
                people[number].truth.lastCartEventAt = max(people[number].truth.lastCartEventAt ?? time, time)
            }
        }
        return sent
    }

    /// The truth learns a device once the person sent something from it.
    mutating func useDevice(_ device: DemoDevice, by number: Int) {
        if let shared = people[number].sharedDevice, people[number].devices[shared].anonymousId == device.anonymousId {
            people[number].usedSharedComputer = true
        } else if !people[number].truth.anonymousIds.contains(device.anonymousId) {
            people[number].truth.anonymousIds.append(device.anonymousId)
        }
    }

    mutating func knowEmail(_ email: String, of number: Int) {
        if !people[number].truth.emails.contains(email) { people[number].truth.emails.append(email) }
    }

    /// A few devices run a tracker that sends a placeholder as the user id while nobody is signed in.
    func placeholderUserId(of device: DemoDevice) -> String? {
        var hash = FNV(device.anonymousId)
        let draw = Double(hash.next() % 10_000) / 10_000
        guard draw < parameters.placeholderRate else { return nil }
        return ["undefined", "null", "0"][Int(hash.next() % 3)]
    }

    static func writeProduct(_ product: DemoProduct, quantity: Int, into json: inout JSONBuilder) {
        json.field("product_id", product.id)
        json.field("sku", product.id)
        json.field("name", product.name)
        json.field("category", product.category)
        json.field("brand", product.brand)
        json.money("price", satang: product.priceSatang)
        json.field("quantity", quantity)
    }

    static func writeProducts(_ items: [(product: DemoProduct, quantity: Int)], into json: inout JSONBuilder) {
        json.openArray("products")
        for item in items {
            json.openObject()
            writeProduct(item.product, quantity: item.quantity, into: &json)
            json.closeObject()
        }
        json.closeArray()
    }
}

/// FNV-1a over a string, then SplitMix steps: a stable draw tied to a value rather than to a position in
/// the random stream.
struct FNV {
    private var state: UInt64

    init(_ text: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state = hash
    }

    mutating func next() -> UInt64 {
        state = DemoRandom.mix(state)
        return state
    }
}
