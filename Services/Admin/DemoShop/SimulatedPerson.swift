/// A customer while their household is simulated: who they are, how they behave, and what is true of them.
struct SimulatedPerson {
    var truth: PersonTruth
    let userId: String?
    /// The e-mail as the person first gave it, and the one they changed to (from `emailChangedAt`).
    let email: String
    let newEmail: String?
    let emailChangedAt: Int64?
    /// National format, `0812345678`; nil when they never gave one.
    let phoneDigits: String?
    let traits: Traits
    /// Scales sessions and baskets: a few customers bring much of the revenue.
    let spending: Double
    /// Scales e-mail opens and clicks.
    let emailAffinity: Double
    var devices: [DemoDevice]
    /// Index in `devices` of the family computer, when the household shares one.
    var sharedDevice: Int?
    let storeOnly: Bool
    let storeShopper: Bool
    /// Day offset of the sign-up; nil when the account is older than the period.
    let signUpDay: Int?
    var analytics: Bool
    var marketing: Bool
    let personalization: Bool
    var consentSent = false
    var emailsBounced = false
    /// When each cart was last added to, and its value; judged abandoned at the end.
    var carts: [(at: Int64, satang: Int)] = []
    var orderTimes: [Int64] = []
    var lastSurveyAt: Int64 = -(1 << 50)
    /// Whether this person's first identify in the period (with every trait) has been sent.
    var profileSent = false
    var usedSharedComputer = false

    struct Traits {
        let firstName: String
        let lastName: String
        let gender: String
        let birthday: String
        let province: String
        let incomeBand: String
        let occupation: String
        let signedUpAt: Int64
    }

    func email(at time: Int64) -> String {
        if let newEmail, let emailChangedAt, time >= emailChangedAt { return newEmail }
        return email
    }

    /// `categoryPreferences` as kinship.js sends them: with a consent event, and in every device message's context.
    func writeCategoryPreferences(into json: inout JSONBuilder) {
        json.openObject("categoryPreferences")
        json.field("necessary", true)
        json.field("analytics", analytics)
        json.field("marketing", marketing)
        json.field("personalization", personalization)
        json.closeObject()
    }

    var e164: String? { phoneDigits.map { "+66" + $0.dropFirst() } }

    /// The ways people type one phone number.
    func phoneSpelling(_ random: inout DemoRandom) -> String? {
        guard let digits = phoneDigits else { return nil }
        let national = Array(digits)
        let area = String(national[1...2]), first = String(national[3...5]), last = String(national[6...9])
        switch random.below(5) {
        case 0: return digits
        case 1: return "0\(area)-\(first)-\(last)"
        case 2: return "+66 \(area) \(first) \(last)"
        case 3: return "+66\(area)\(first)\(last)"
        default: return "0\(area) \(first) \(last)"
        }
    }

    /// An e-mail as typed: usually as given, sometimes in capitals or with spaces around it.
    static func typed(_ email: String, _ random: inout DemoRandom) -> String {
        switch random.below(20) {
        case 0: return email.uppercased()
        case 1: return " \(email) "
        case 2: return email.prefix(1).uppercased() + email.dropFirst()
        default: return email
        }
    }
}
