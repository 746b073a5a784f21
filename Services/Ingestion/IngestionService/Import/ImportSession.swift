import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// One import in progress: rows are gathered into chunks, each committed through the group-commit
/// queue before the next is read, so an import of any size holds one chunk in memory.
struct ImportSession {
    static let chunkSize = 1000

    let collector: Collector
    let metadata: RequestMetadata
    private var pending: [(offset: Int, element: IncomingMessage)] = []
    private var refused: [RefusedMessage] = []
    private(set) var summary = ImportSummary()

    init(collector: Collector, metadata: RequestMetadata) {
        self.collector = collector
        self.metadata = metadata
    }

    /// A parsed row. Without a `messageId` it gets one derived from the source and the row's content,
    /// so importing the same file twice stores its rows once. With a `person` (a CSV row keyed only by a phone
    /// or an e-mail) it gets the `anonymousId` derived from it, which every row of that person shares.
    mutating func add(_ message: [String: JSONValue], line: Int, person: CSVImportMapping.PersonKey? = nil) async throws {
        var message = message
        if let person { message["anonymousId"] = .string(Self.derivedAnonymousId(person, source: metadata.source)) }
        if message["messageId"] == nil || message["messageId"] == .null {
            message["messageId"] = .string(Self.derivedMessageId(message, source: metadata.source))
        }
        pending.append((line, IncomingMessage(.object(message))))
        summary.rows += 1
        if pending.count + refused.count >= Self.chunkSize { try await commit() }
    }

    /// A row refused before it could be read as a message (not JSON, too long, wrong column count).
    mutating func refuse(line: Int, _ error: KinshipError, raw: JSONValue) async throws {
        refused.append(RefusedMessage(index: line, messageId: nil, error: error, raw: raw))
        summary.rows += 1
        if pending.count + refused.count >= Self.chunkSize { try await commit() }
    }

    mutating func finish() async throws {
        try await commit()
    }

    private mutating func commit() async throws {
        guard !pending.isEmpty || !refused.isEmpty else { return }
        // Paced per source, not refused: the body waits in TCP's buffers meanwhile.
        let wait = collector.importLimiter.reserve(metadata.source.source.id, cost: pending.count + refused.count)
        if wait > .zero { try await Task.sleep(for: wait) }
        let result = try await collector.collect(pending, alreadyRefused: refused, metadata: metadata, limitRate: false)
        pending.removeAll(keepingCapacity: true)
        refused.removeAll(keepingCapacity: true)
        summary.add(result)
    }

    /// Per source and row content, so the same file imported again by the same source gets the same ids.
    static func derivedMessageId(_ message: [String: JSONValue], source: AuthenticatedSource) -> String {
        let canonical = JSONValue.object(message).serialized()
        return derivedId(type: "import-row", value: "\(source.source.id.lowercased)\u{0}\(canonical)", source: source)
    }

    /// Per workspace, not per source, so one person's rows share it whichever source imports them.
    static func derivedAnonymousId(_ person: CSVImportMapping.PersonKey, source: AuthenticatedSource) -> String {
        switch person {
        case .phone(let digits): derivedId(type: "import-phone", value: digits, source: source)
        case .email(let address): derivedId(type: "import-email", value: address, source: source)
        }
    }

    /// Keyed with the workspace's blind-index key: an unkeyed hash would let whoever sees the id test guesses
    /// of what it was made from (a phone number, an e-mail address, an order) against it.
    private static func derivedId(type: String, value: String, source: AuthenticatedSource) -> String {
        "import-" + source.blindIndex.token(type: type, normalizedValue: value).prefix(16).hexString
    }
}

extension ImportSummary {
    mutating func add(_ result: Collector.Result) {
        stored += result.outcome.stored
        duplicates += result.outcome.duplicates
        withheld += result.withheld
        refused += result.refused.count
        for refusal in result.refused.sorted(by: { $0.index < $1.index }) where refusedRows.count < IngestionLimits.listedRefusals {
            refusedRows.append(RefusedRow(line: refusal.index, code: refusal.error.code.rawValue, message: refusal.error.message))
        }
    }
}
