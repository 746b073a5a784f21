import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

/// A segment's members as the API and the dashboard export them, against `memberships` and
/// `segment_profiles.consent` as segmentation leaves them: the analyst's list keeps everyone and marks who
/// refuses marketing; the files (`csv`, and `hashed`, which hashes the identifiers of the same members) leave
/// those people out.
struct SegmentMembersTests {
    /// A segment of `fixture`'s workspace with these current members, each with their consent in force
    /// (nil: segmentation holds no row for them), and one member who has left.
    static func segment(
        in fixture: ReportFixture, requiredConsent: String? = nil, members: [(UUID, consent: String?)]
    ) async throws -> SegmentView {
        let id = UUID()
        try await fixture.database.query(
            """
            INSERT INTO segments (workspace_id, id, name, definition, required_consent)
            VALUES (\(fixture.workspaceID), \(id), \(TestKeys.uniqueName("segment")), '{"computed": "order_count", "op": "gt", "value": 0}'::jsonb, \(requiredConsent))
            """,
            logger: ReportFixture.logger
        )
        let stays: [(profile: UUID, entered: Date, exited: Date?)] =
            members.map { ($0.0, Date() - 3600, nil) } + [(try await fixture.profile(), Date() - 7200, Date() - 60)]
        for (profile, entered, exited) in stays {
            try await fixture.database.query(
                """
                INSERT INTO memberships (workspace_id, segment_id, profile_id, entered_at, exited_at, segment_version)
                VALUES (\(fixture.workspaceID), \(id), \(profile), \(entered), \(exited), 1)
                """,
                logger: ReportFixture.logger
            )
        }
        for (profile, consent) in members {
            guard let consent else { continue }
            try await fixture.database.query(
                "INSERT INTO segment_profiles (workspace_id, profile_id, consent) VALUES (\(fixture.workspaceID), \(profile), \(consent)::jsonb)",
                logger: ReportFixture.logger
            )
        }
        return SegmentView(
            id: id.lowercased, name: "test", description: "", definition: .object([:]), requiredConsent: requiredConsent, version: 1,
            size: members.count, createdAt: Date(), updatedAt: Date()
        )
    }

    /// The members a file of `segment` holds, as the csv and hashed formats choose them.
    static func exported(_ segment: SegmentView, in fixture: ReportFixture) async throws -> [SegmentMember] {
        try await fixture.run { connection in
            try await SegmentMembers.exportable(
                of: UUID(uuidString: segment.id)!, in: fixture.workspaceID, leavingOutRefusalsOf: SegmentMembers.exportRefusals(of: segment),
                on: connection, logger: ReportFixture.logger
            )
        }
    }

    @Test func theListMarksWhoRefusedMarketingAndTheFilesLeaveThemOut() async throws {
        try await TestDatabase.withClient { database in
            let fixture = try await ReportFixture(database: database)
            let (allows, refuses) = (try await fixture.profile(), try await fixture.profile())
            let segment = try await Self.segment(in: fixture, members: [
                (allows, consent: #"{"marketing": true, "analytics": false}"#), (refuses, consent: #"{"marketing": false}"#),
            ])

            let page = try await fixture.run { connection in
                try await SegmentMembers.page(
                    of: UUID(uuidString: segment.id)!, in: fixture.workspaceID, limit: 10, after: nil, on: connection, logger: ReportFixture.logger
                )
            }
            let flags = Dictionary(uniqueKeysWithValues: page.items.map { ($0.profileId, $0.marketingRefused) })
            #expect(flags == [allows.lowercased: false, refuses.lowercased: true], "json: both members, the one who refused marked")
            #expect(page.nextCursor == nil)
            let encoded = try JSONValue.parse(String(decoding: try JSONCoding.encoder().encode(page), as: UTF8.self))
            #expect(encoded["items"]?.arrayValue?.compactMap { $0["marketingRefused"] }.count == 2, "the flag is in the JSON")

            let exported = try await Self.exported(segment, in: fixture)
            #expect(exported.map(\.profileId) == [allows.lowercased], "csv and hashed: only the member who did not refuse marketing")
            let table = SegmentMembers.table(exported)
            #expect(table.columns == ["profile_id", "entered_at", "segment_version"])
            #expect(table.rows.map(\.first) == [allows.lowercased])
        }
    }

    @Test func aSegmentRequiringAnotherCategoryLeavesItsRefusersOutOfTheFilesToo() async throws {
        try await TestDatabase.withClient { database in
            let fixture = try await ReportFixture(database: database)
            let (silent, refusesAnalytics, refusesMarketing) = (try await fixture.profile(), try await fixture.profile(), try await fixture.profile())
            // A refusal newer than segmentation's last look: still a member, but not in a file.
            let segment = try await Self.segment(in: fixture, requiredConsent: "analytics", members: [
                (silent, consent: nil), (refusesAnalytics, consent: #"{"analytics": false, "marketing": true}"#),
                (refusesMarketing, consent: #"{"analytics": true, "marketing": false}"#),
            ])
            #expect(try await Self.exported(segment, in: fixture).map(\.profileId) == [silent.lowercased], "no statement is no refusal")
            #expect(SegmentMembers.exportRefusals(of: segment) == ["marketing", "analytics"])
        }
    }
}
