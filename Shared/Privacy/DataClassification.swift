import Foundation
import KinshipCore

/// What a trait or property key holds, by its name: its data kind (the four kinds of customer data the
/// product's source documents name) and its sensitivity. Names are compared normalised (lower case, letters
/// and digits only), so `First Name`, `first_name` and `firstName` are one name, and a name ending in a
/// personal name (`customer_email`, `contactPhone`) is personal too.
///
/// These are the default rules (`Rules.standard`); a workspace adds names of its own (`Rules`, kept in
/// `workspaces.settings`). Ingestion and identity seal what they call personal or sensitive
/// (`PersonalData`), and the data map shows them.
public enum DataClassification {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case identity, engagement, behavioral, attitudinal
    }

    public enum Sensitivity: String, Codable, Sendable, CaseIterable, Comparable {
        case none, personal, sensitive

        public static func < (lhs: Sensitivity, rhs: Sensitivity) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// Names that identify or describe a person directly (`name` alone only where a person is described:
    /// `personContainers`).
    static let personalNames: Set<String> = [
        "email", "emailaddress", "mail", "phone", "phonenumber", "mobile", "mobilenumber", "mobilephone", "tel", "telephone",
        "firstname", "lastname", "fullname", "givenname", "familyname", "surname", "middlename", "nickname", "customername",
        "contactname", "recipientname", "billingname", "shippingname", "username", "displayname",
        "birthday", "birthdate", "dateofbirth", "dob", "address", "streetaddress", "street", "addressline1", "addressline2",
        "postcode", "postalcode", "zip", "zipcode", "passport", "passportnumber", "nationalid", "nationalidnumber", "idcard",
        "idcardnumber", "citizenid", "taxid", "ip", "ipaddress", "advertisingid", "idfa", "gaid", "lineid", "userid",
        "anonymousid", "previousid",
    ]
    /// Endings that make any name personal (`billing_address`, `customerEmail`, `home_phone`).
    static let personalEndings = ["email", "emailaddress", "phone", "phonenumber", "address", "birthday", "passport", "ipaddress"]
    /// Objects that describe a person: inside them `name` is the person's name.
    static let personContainers: Set<String> = [
        "traits", "customer", "user", "contact", "person", "buyer", "recipient", "billing", "shipping", "member", "profile",
        "sender", "owner", "account", "billingaddress", "shippingaddress", "client", "patient", "guest",
    ]
    /// Special categories: revealing them can harm the person (PDPA section 26, GDPR article 9), and income.
    static let sensitiveNames: Set<String> = [
        "income", "incomeband", "salary", "ethnicity", "race", "religion", "health", "medical", "medicalcondition",
        "diagnosis", "disability", "politicalopinion", "politics", "politicalparty", "sexualorientation", "criminalrecord",
        "biometric", "fingerprint", "bloodtype", "tradeunion",
    ]
    static let identityNames: Set<String> = [
        "gender", "sex", "age", "agegroup", "province", "city", "country", "region", "state", "district", "occupation",
        "company", "jobtitle", "title", "language", "locale", "signedupat", "createdat", "timezone",
    ]
    static let attitudinalWords = ["nps", "rating", "review", "survey", "feedback", "comment", "satisfaction", "csat", "answer", "ticket", "sentiment", "opinion"]
    static let behavioralWords = [
        "product", "order", "cart", "checkout", "price", "total", "revenue", "quantity", "sku", "coupon", "discount", "currency",
        "payment", "shipping", "tax", "subscription", "plan", "store", "refund", "value", "category", "brand", "variant", "wishlist",
    ]

    /// `First Name` → `firstname`.
    public static func normalised(_ key: String) -> String {
        // Ingestion normalises every key it walks in a message's `context`: an ASCII key (nearly all) is
        // normalised on its bytes, which measured several times faster than `CharacterSet` per scalar.
        var key = key
        if let ascii = key.withUTF8(normalisedASCII) { return ascii }
        return String(key.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// The key's ASCII letters (lower-cased) and digits; nil when it is not all ASCII.
    private static func normalisedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            var count = 0
            for byte in bytes {
                guard let kept = normalised(ascii: byte) else { continue }
                buffer[count] = kept
                count += 1
            }
            return count
        }
    }

    /// One ASCII byte as a normalised name keeps it: a letter lower-cased, a digit as it is, anything else nil.
    static func normalised(ascii byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): byte
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte | 0x20
        default: nil
        }
    }

    /// A key's sensitivity by the default rules; `describingPerson` as in `Rules.sensitivity(of:describingPerson:)`.
    public static func sensitivity(of key: String, describingPerson: Bool = true) -> Sensitivity {
        Rules.standard.sensitivity(of: key, describingPerson: describingPerson)
    }

    /// Whether a key names an identifier or a code (`order_id`, `sku`, `coupon_code`): a phone-shaped value
    /// there is a number, not a phone.
    static func namesAnID(_ key: String) -> Bool {
        let name = normalised(key)
        return name.hasSuffix("id") || name.hasSuffix("sku") || name.hasSuffix("code") || name.hasSuffix("ref") || name.hasSuffix("number") && !name.hasSuffix("phonenumber")
    }

    /// The classification rules of one workspace: the defaults and the names it adds. A name added as
    /// sensitive is sensitive even where the defaults call it personal.
    public struct Rules: Sendable, Equatable, Codable {
        public var personal: [String]
        public var sensitive: [String]

        public static let standard = Rules(personal: [], sensitive: [])

        public init(personal: [String], sensitive: [String]) {
            self.personal = personal
            self.sensitive = sensitive
            personalNames = DataClassification.personalNames.union(personal.map(DataClassification.normalised))
            sensitiveNames = DataClassification.sensitiveNames.union(sensitive.map(DataClassification.normalised))
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                personal: try container.decodeIfPresent([String].self, forKey: .personal) ?? [],
                sensitive: try container.decodeIfPresent([String].self, forKey: .sensitive) ?? []
            )
        }

        enum CodingKeys: String, CodingKey { case personal, sensitive }

        /// Normalised.
        let personalNames: Set<String>
        let sensitiveNames: Set<String>

        public static func == (lhs: Rules, rhs: Rules) -> Bool {
            lhs.personalNames == rhs.personalNames && lhs.sensitiveNames == rhs.sensitiveNames
        }

        /// - Parameter describingPerson: whether the key sits where a person is described (`traits`, a
        ///   `customer` object), where `name` alone is the person's name.
        public func sensitivity(of key: String, describingPerson: Bool) -> Sensitivity {
            let name = normalised(key)
            if sensitiveNames.contains(name) { return .sensitive }
            if personalNames.contains(name) || personalEndings.contains(where: { name.hasSuffix($0) }) { return .personal }
            return describingPerson && name == "name" ? .personal : .none
        }
    }

    public static func kind(of key: String, describingPerson: Bool = true) -> Kind {
        let name = normalised(key)
        if describingPerson && name == "name" || personalNames.contains(name) || sensitiveNames.contains(name) || identityNames.contains(name)
            || personalEndings.contains(where: { name.hasSuffix($0) }) {
            return .identity
        }
        if attitudinalWords.contains(where: { name.contains($0) }) { return .attitudinal }
        if behavioralWords.contains(where: { name.contains($0) }) { return .behavioral }
        return .engagement
    }
}
