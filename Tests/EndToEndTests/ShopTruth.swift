import Foundation

/// The part of `kinship demo truth` the end-to-end checks read (docs/demo.md describes the whole document).
struct ShopTruth: Decodable, Sendable {
    struct Person: Decodable, Sendable {
        let person: String
        let userId: String?
        let name: String
        let birthday: String
        let emails: [String]
        let phone: String?
        let anonymousIds: [String]
        let sharedAnonymousId: String?
        let storeOnly: Bool
        let messages: Int
        let orderCount: Int
        let revenue: Double
        let averageOrderValue: Double
        let orders: [Order]
        let lastCartEventAt: String?
        let latestNps: Nps?
        let consent: [String: Bool]
        let surveys: Int

        struct Order: Decodable, Sendable {
            let orderId: String
            let at: String
            let channel: String
            let total: Double
            let cancelled: Bool
        }

        struct Nps: Decodable, Sendable {
            let score: Int
            let at: String
        }

        /// Every identifier the platform was sent for this person, as (type, value) for identity's resolve.
        var identifiers: [(type: String, value: String)] {
            (userId.map { [("user_id", $0)] } ?? []) + emails.map { ("email", $0) } + (phone.map { [("phone", $0)] } ?? [])
                + anonymousIds.map { ("anonymous_id", $0) }
        }
    }

    struct Totals: Decodable, Sendable {
        let people: Int
        let peopleWithEvents: Int
        let visitors: Int
        let expectedProfiles: Int
        let messagesSent: Int
        let posRows: Int
        let storedEvents: Int
        let duplicatesSent: Int
        let orders: Int
        let revenue: Double
        let emailsDelivered: Int
    }

    let people: [Person]
    let visitors: [String]
    let totals: Totals
}
