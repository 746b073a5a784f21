import Foundation
import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO
import Synchronization

/// The identifiers each workspace has suppressed (`kind: suppress` privacy requests), as ingestion checks
/// messages against them: read from `suppressed_identifiers` at most once per `lifetime` per workspace and
/// process, so a suppression holds at every replica within that time, and a workspace with none costs a
/// dictionary lookup per request.
final class SuppressionCache: Sendable {
    /// One workspace's suppressed identifiers, and how its identity rules spell a phone number.
    struct List: Sendable {
        struct Token: Hashable, Sendable {
            let type: String
            let token: Data
        }

        let tokens: Set<Token>
        let defaultRegion: String

        static let empty = List(tokens: [], defaultRegion: IdentityRules().defaultRegion)

        var isEmpty: Bool { tokens.isEmpty }

        /// Whether the message carries a suppressed identifier (spelt as identity spells it).
        func suppresses(_ message: [String: JSONValue], blindIndex: BlindIndex) -> Bool {
            guard !tokens.isEmpty else { return false }
            return MessageIdentifiers.raw(in: message).contains { type, text in
                guard let value = MessageIdentifiers.canonical(type: type, text, defaultRegion: defaultRegion) else { return false }
                return tokens.contains(Token(type: type, token: blindIndex.token(type: type, normalizedValue: value)))
            }
        }
    }

    private let database: PostgresClient
    private let logger: Logger
    private let lifetime: Duration
    private let lists = Mutex<[UUID: (list: List, loadedAt: ContinuousClock.Instant)]>([:])

    init(database: PostgresClient, logger: Logger, lifetime: Duration = .seconds(2)) {
        self.database = database
        self.logger = logger
        self.lifetime = lifetime
    }

    func list(for workspaceID: UUID) async throws -> List {
        let now = ContinuousClock.now
        if let cached = lists.withLock({ $0[workspaceID] }), now - cached.loadedAt < lifetime { return cached.list }
        let list = try await load(workspaceID)
        lists.withLock { $0[workspaceID] = (list, now) }
        return list
    }

    private func load(_ workspaceID: UUID) async throws -> List {
        var tokens: Set<List.Token> = []
        for try await (type, token) in try await database.query(
            "SELECT type, token FROM suppressed_identifiers WHERE workspace_id = \(workspaceID)", logger: logger
        ).decode((String, Data).self) {
            tokens.insert(List.Token(type: type, token: token))
        }
        guard !tokens.isEmpty else { return .empty }
        var region = IdentityRules().defaultRegion
        for try await text in try await database.query(
            "SELECT rules::text FROM identity_rules WHERE workspace_id = \(workspaceID)", logger: logger
        ).decode(String.self) {
            region = (try? JSONCoding.decode(IdentityRules.self, from: Data(text.utf8)))?.defaultRegion ?? region
        }
        return List(tokens: tokens, defaultRegion: region)
    }
}
