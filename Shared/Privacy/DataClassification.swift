import Foundation
import KinshipCore

/// What a trait or property key holds, by its name: its data kind (the four kinds of customer data the
/// product's source documents name) and its sensitivity. Names are compared normalised (lower case, letters
/// and digits only), so `First Name`, `first_name` and `firstName` are one name, and a name ending in a
/// personal name (`customer_email`, `contactPhone`) is personal too.
///
/// These are the default rules; the data map applies them to every key it finds. A workspace's own rules,
/// and sealing by them, come with the privacy work (they are not applied at ingestion yet: `PIIKeys` is).
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

    /// Names that identify or describe a person directly.
    static let personalNames: Set<String> = [
        "email", "emailaddress", "mail", "phone", "phonenumber", "mobile", "mobilenumber", "mobilephone", "tel", "telephone",
        "name", "firstname", "lastname", "fullname", "givenname", "familyname", "surname", "middlename", "nickname",
        "birthday", "birthdate", "dateofbirth", "dob", "address", "streetaddress", "street", "addressline1", "addressline2",
        "postcode", "postalcode", "zip", "zipcode", "passport", "passportnumber", "nationalid", "nationalidnumber", "idcard",
        "idcardnumber", "citizenid", "taxid", "ip", "ipaddress", "advertisingid", "idfa", "gaid", "lineid", "userid",
        "anonymousid", "previousid",
    ]
    /// Endings that make any name personal (`billing_address`, `customerEmail`, `home_phone`).
    static let personalEndings = ["email", "emailaddress", "phone", "phonenumber", "mobile", "address", "birthday", "passport", "ipaddress"]
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
        String(key.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    public static func sensitivity(of key: String) -> Sensitivity {
        let name = normalised(key)
        if sensitiveNames.contains(name) { return .sensitive }
        if personalNames.contains(name) || personalEndings.contains(where: { name.hasSuffix($0) }) { return .personal }
        return .none
    }

    public static func kind(of key: String) -> Kind {
        let name = normalised(key)
        if personalNames.contains(name) || sensitiveNames.contains(name) || identityNames.contains(name)
            || personalEndings.contains(where: { name.hasSuffix($0) }) {
            return .identity
        }
        if attitudinalWords.contains(where: { name.contains($0) }) { return .attitudinal }
        if behavioralWords.contains(where: { name.contains($0) }) { return .behavioral }
        return .engagement
    }
}
