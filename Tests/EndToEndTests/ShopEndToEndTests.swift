import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing

/// A seeded shop of about a thousand customers through the real executables, and what the platform
/// concluded checked against the shop's ground truth. Each capability adds its checks to `checks`: a
/// name and a few lines that read the platform and compare with `platform.truth`.
@Suite(.serialized) struct ShopEndToEndTests {
    struct Check: Sendable {
        let name: String
        let run: @Sendable (ShopPlatform) async throws -> Void
    }

    /// The privacy checks come last: they erase people the others count.
    static let checks: [Check] = identityChecks + segmentationChecks + reportingChecks + dashboardChecks + privacyChecks

    static let identityChecks: [Check] = [
        Check(name: "every message is stored once, however often it was sent") { platform in
            let truth = platform.truth.totals
            #expect(truth.duplicatesSent > 0, "the shop sends retries")
            let stored = try await storedCounts(in: platform.workspace, on: platform.database)
            #expect(stored.events == truth.storedEvents && stored.messageIds == truth.storedEvents, "\(stored) vs \(truth)")
        },
        Check(name: "one live profile per person, plus one per visitor who never signed in") { platform in
            let live = try await platform.count(
                "SELECT count(*)::int FROM profiles WHERE workspace_id = \(platform.workspace.id) AND merged_into IS NULL"
            )
            #expect(live == platform.truth.totals.expectedProfiles, "live profiles \(live), truth \(platform.truth.totals)")
        },
        Check(name: "every identifier of a sampled person resolves to that person's one profile") { platform in
            var owners: [String: String] = [:]
            for person in stride(from: 0, to: platform.truth.people.count, by: 9).map({ platform.truth.people[$0] }) where person.messages > 0 {
                var profiles = Set<String>()
                for identifier in person.identifiers {
                    let profile = try await platform.profile(identifier.type, identifier.value)
                    #expect(profile != nil, "\(person.person)'s \(identifier.type) joins no profile")
                    profiles.formUnion([profile].compactMap(\.self))
                }
                #expect(profiles.count == 1, "\(person.person) is spread over \(profiles.count) profiles")
                if let profile = profiles.first {
                    #expect(owners[profile] == nil, "\(person.person) and \(owners[profile] ?? "") share a profile")
                    owners[profile] = person.person
                }
            }
            #expect(owners.count > 50)
        },
        Check(name: "a shared family computer never joins two people") { platform in
            let sharing = Dictionary(grouping: platform.truth.people.filter { $0.sharedAnonymousId != nil }, by: { $0.sharedAnonymousId! })
            #expect(!sharing.isEmpty)
            for (computer, people) in sharing.prefix(20) {
                let profiles = try await people.asyncMap { try await platform.profile("user_id", $0.userId!) }
                #expect(Set(profiles.compactMap(\.self)).count == people.count, "\(people.map(\.person)) share a profile")
                let owner = try await platform.profile("anonymous_id", computer)
                #expect(owner != nil && profiles.contains(owner), "the computer belongs to one of them")
            }
        },
        Check(name: "a store-only customer, known by the phone the cashier typed, is one profile of their own") { platform in
            let storeOnly = platform.truth.people.filter { $0.storeOnly && $0.messages > 0 }
            #expect(!storeOnly.isEmpty)
            var seen = Set<String>()
            for person in storeOnly.prefix(20) {
                let profiles = try await person.identifiers.asyncMap { try await platform.profile($0.type, $0.value) }
                #expect(Set(profiles.compactMap(\.self)).count == 1 && !profiles.contains(nil), "\(person.person): \(profiles)")
                if let profile = profiles.first ?? nil { #expect(seen.insert(profile).inserted) }
            }
        },
        Check(name: "a placeholder user id joins nobody") { platform in
            for placeholder in ["undefined", "null", "0"] {
                let profile = try await platform.profile("user_id", placeholder)
                #expect(profile == nil, "'\(placeholder)' resolved to a profile")
            }
        },
        Check(name: "each visitor who never signed in is a profile of their own") { platform in
            let people = Set(try await platform.truth.people.prefix(40).asyncMap { person in
                try await platform.profile(person.identifiers[0].type, person.identifiers[0].value)
            }.compactMap(\.self))
            var seen = Set<String>()
            for visitor in platform.truth.visitors.prefix(40) {
                let profile = try #require(try await platform.profile("anonymous_id", visitor), "visitor \(visitor) has no profile")
                #expect(!people.contains(profile) && seen.insert(profile).inserted)
            }
        },
    ]

    @Test func theShopsConclusionsMatchItsGroundTruth() async throws {
        try await ShopPlatform.with(customers: 1000, days: 60, seed: 2026) { platform in
            for check in Self.checks {
                do {
                    try await check.run(platform)
                } catch {
                    Issue.record("\(check.name): \(error)")
                }
            }
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
