import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// Ingestion's rules for the messages of one request: validate, fill in what Segment fills in, enrich,
/// apply the message's own consent, and seal its PII and identifiers.
struct MessagePreparation: Sendable {
    let metadata: RequestMetadata
    let consent: ConsentGate
    /// The request's arrival: in every message, its outbox reference and (`WriteBatch`) its column.
    let receivedAt: StoredTime
    /// What is the same for every message of the request, worked out once.
    private let batchSentAtText: String?
    private var enrichment: MessageEnrichment
    /// What this request's earlier messages already sealed, and the last message's routing key by its
    /// strongest id: the messages of one browser's batch share their ids and IP.
    private var sealed = SealedFields.Memo()
    private var lastRoutingKey: (type: String, value: String, key: String)?
    /// The source's sealing under the workspace's classification (its privacy policy).
    private let sealing: SealedFields
    /// Whether the source seals by the rules `IncomingMessage` looked for when it passed members through.
    private let sealsStandardKeys: Bool
    /// What the batch's `context` and `integrations` add to each message's size (at most), and what they hold.
    private var batchFields = MessageSize(bytes: 0, containsNUL: false, containsReservedKey: false)

    init(metadata: RequestMetadata, consent: ConsentGate) {
        self.metadata = metadata
        self.consent = consent
        receivedAt = StoredTime(metadata.receivedAt)
        batchSentAtText = metadata.batchSentAt.map(Timestamp.format)
        enrichment = MessageEnrichment(metadata: metadata)
        let source = metadata.source
        sealing = consent.privacy.personalData.map { SealedFields(key: source.dataKey, workspaceID: source.source.workspaceID, personalData: $0) }
            ?? source.sealing
        sealsStandardKeys = sealing.personalData == .standard
        for shared in [metadata.batchContext, metadata.batchIntegrations] {
            guard let shared else { continue }
            batchFields = batchFields.adding(MessageSize(.object(shared)))
        }
    }

    /// Disposes of the message at `index` of the request; a message the caller no longer holds is changed
    /// in place rather than copied.
    mutating func process(_ message: consuming IncomingMessage, index: Int) -> MessageOutcome {
        let messageId = message.object["messageId"]?.stringValue
        do {
            guard message.isObject else {
                throw KinshipError.badRequest(.invalidMessage, "A message must be a JSON object.")
            }
            guard let prepared = try prepare(&message) else { return .withheldByConsent }
            return .accepted(prepared)
        } catch let error as KinshipError {
            return .refused(RefusedMessage(index: index, messageId: messageId, error: error, raw: message.value))
        } catch {
            let error = KinshipError.badRequest(.invalidMessage, "The message could not be read: \(error)")
            return .refused(RefusedMessage(index: index, messageId: messageId, error: error, raw: message.value))
        }
    }

    /// The message ready to store, or nil when its own consent withholds it.
    mutating func prepare(_ message: inout IncomingMessage) throws -> PreparedMessage? {
        // Passed through only when no key inside is personal by the standard rules, so never holding the
        // `email` or `phone` the consent gate looks for; a workspace with rules of its own has them read.
        if !sealsStandardKeys { try message.parsePassedThrough() }
        var object = message.object
        // Taken out while it changes, so the message does not hold a second reference that forces a copy.
        message.object = [:]
        applyBatchFields(to: &object)
        let size = message.sent?.adding(batchFields) ?? MessageSize(.object(object))
        let bytes = size.bytes
        guard bytes <= IngestionLimits.messageBytes else {
            throw KinshipError(
                code: .messageTooLarge, status: .contentTooLarge,
                message: "A message may be at most \(IngestionLimits.messageBytes / 1024) KB; this one is \(bytes / 1024) KB."
            )
        }
        // The walk with paths runs only to name where the NUL is.
        if size.containsNUL { try MessageValidation.refuseNullCharacters(in: .object(object)) }
        if size.containsReservedKey { throw MessageValidation.reservedKey() }
        var read = try TrackingMessage(object: object, impliedType: metadata.impliedType)
        let strongestID = try MessageValidation.check(read)

        let eventTime = correctedTimestamp(read)
        if consent.withholds(read, object, at: eventTime) { return nil }
        // What ingestion changes next must not be shared with `read`, or each change would copy it.
        (read.context, read.traits, read.properties, read.integrations) = (nil, nil, nil, nil)

        let messageId = read.messageId ?? "kinship-\(UUID().lowercased)"
        let storedEventTime = eventTime == metadata.receivedAt ? receivedAt : StoredTime(eventTime)
        let eventTimeText = storedEventTime.text
        object["type"] = .string(read.type.rawValue)
        object["messageId"] = .string(messageId)
        object["receivedAt"] = .string(receivedAt.text)
        object["timestamp"] = .string(eventTimeText)
        if let original = read.timestamp ?? read.originalTimestamp {
            object["originalTimestamp"] = .string(original == eventTime ? eventTimeText : Timestamp.format(original))
        }
        if let sentAt = read.sentAt {
            object["sentAt"] = .string(Timestamp.format(sentAt))
        } else if let batchSentAtText {
            object["sentAt"] = .string(batchSentAtText)
        }
        object.removeValue(forKey: "writeKey")
        // Taken out while it is enriched and sealed, so the message does not hold a second reference that forces a copy.
        var context: [String: JSONValue]? = object.removeValue(forKey: "context")?.objectValue ?? [:]
        enrichment.enrich(&context!)
        try sealing.seal(&object, context: &context, memo: &sealed)
        object["context"] = context.map(JSONValue.object)
        message.object = object

        var json: [UInt8] = []
        json.reserveCapacity(bytes + 512)
        message.write(into: &json)
        return PreparedMessage(
            messageId: messageId,
            routingKey: routingKey(strongestID),
            type: read.type,
            event: read.event.flatMap { $0.isEmpty ? nil : $0 },
            eventTime: storedEventTime,
            json: json,
            reference: EventReference(messageId: messageId, receivedAt: receivedAt.text).payload
        )
    }

    /// The blind-index token of the person's strongest id, whose `events` partition is the event's: one
    /// person's events stay in order on one partition while the bus never carries the id itself.
    private mutating func routingKey(_ id: (type: String, value: String)) -> String {
        if let last = lastRoutingKey, last.value == id.value, last.type == id.type { return last.key }
        let key = metadata.source.blindIndex.token(type: id.type, normalizedValue: id.value).hexString
        lastRoutingKey = (id.type, id.value, key)
        return key
    }

    /// Batch-level `context` and `integrations` apply to each message; the message's own keys win.
    private func applyBatchFields(to object: inout [String: JSONValue]) {
        for (field, shared) in [("context", metadata.batchContext), ("integrations", metadata.batchIntegrations)] {
            guard let shared else { continue }
            let own = object[field]?.objectValue ?? [:]
            object[field] = .object(shared.merging(own) { _, mine in mine })
        }
    }

    /// Segment's clock-skew correction: the device clock may be wrong, but the time between the event
    /// and sending it is right, so `timestamp = receivedAt - (sentAt - timestamp)`. Each time is plausible
    /// (`MessageValidation`), but their difference may not be (sent in 2100 of an event in 2000): a
    /// correction that leaves the plausible years keeps the event's own time instead.
    func correctedTimestamp(_ message: TrackingMessage) -> Date {
        guard let timestamp = message.timestamp ?? message.originalTimestamp else { return metadata.receivedAt }
        guard let sentAt = message.sentAt ?? metadata.batchSentAt else { return timestamp }
        let corrected = metadata.receivedAt.addingTimeInterval(-sentAt.timeIntervalSince(timestamp))
        return MessageValidation.plausibleDates.contains(corrected) ? corrected : timestamp
    }
}
