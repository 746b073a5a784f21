import Foundation
import Shared

/// The door's rules for one message: validate, fill in what Segment fills in, enrich, apply the
/// message's own consent, and seal its PII.
struct MessagePreparation: Sendable {
    let facts: RequestFacts
    let consent: ConsentGate

    /// Disposes of the message at `index` of the request.
    func dispose(_ raw: JSONValue, index: Int) -> MessageDisposition {
        let messageId = raw["messageId"]?.stringValue
        do {
            guard case .object(let object) = raw else {
                throw KinshipError.badRequest("invalid_message", "A message must be a JSON object.")
            }
            guard let prepared = try prepare(object) else { return .withheldByConsent }
            return .accepted(prepared)
        } catch let error as KinshipError {
            return .refused(RefusedMessage(index: index, messageId: messageId, error: error, raw: raw))
        } catch {
            let error = KinshipError.badRequest("invalid_message", "The message could not be read: \(error)")
            return .refused(RefusedMessage(index: index, messageId: messageId, error: error, raw: raw))
        }
    }

    /// The message ready to store, or nil when its own consent withholds it.
    func prepare(_ sent: [String: JSONValue]) throws -> PreparedMessage? {
        var object = withBatchFields(sent)
        var encoded: [UInt8] = []
        JSONValue.object(object).write(into: &encoded)
        guard encoded.count <= IngestionLimits.messageBytes else {
            throw KinshipError(
                code: "message_too_large", status: .contentTooLarge,
                message: "A message may be at most \(IngestionLimits.messageBytes / 1024) KB; this one is \(encoded.count / 1024) KB."
            )
        }
        try MessageValidation.refuseNullCharacters(in: .object(object))
        let message = try SegmentMessage(object: object, impliedType: facts.impliedType)
        let strongestID = try MessageValidation.check(message)

        if consent.withholds(message) { return nil }

        let messageId = message.messageId ?? "kinship-\(UUID().uuidString.lowercased())"
        let eventTime = correctedTimestamp(message)
        object["type"] = .string(message.type.rawValue)
        object["messageId"] = .string(messageId)
        object["receivedAt"] = .string(Timestamp.format(facts.receivedAt))
        object["timestamp"] = .string(Timestamp.format(eventTime))
        if let original = message.timestamp ?? message.originalTimestamp {
            object["originalTimestamp"] = .string(Timestamp.format(original))
        }
        if let sentAt = message.sentAt ?? facts.batchSentAt { object["sentAt"] = .string(Timestamp.format(sentAt)) }
        object.removeValue(forKey: "writeKey")
        object["context"] = .object(MessageEnrichment(facts: facts).enrich(object["context"]?.objectValue ?? [:]))

        return PreparedMessage(
            messageId: messageId, type: message.type, event: message.event, eventTime: eventTime,
            routingKey: Self.routingKey(strongestID, facts.source.blindIndex), stored: try facts.source.sealing.sealMessage(object)
        )
    }

    /// The outbox key: the blind-index token of the person's strongest id, so one person's events stay
    /// in order on one partition while the bus never carries the id itself.
    static func routingKey(_ id: (type: String, value: String), _ index: BlindIndex) -> String {
        index.token(type: id.type, normalizedValue: id.value).hexString
    }

    /// Batch-level `context` and `integrations` apply to each message; the message's own keys win.
    private func withBatchFields(_ sent: [String: JSONValue]) -> [String: JSONValue] {
        var object = sent
        for (field, shared) in [("context", facts.batchContext), ("integrations", facts.batchIntegrations)] {
            guard let shared else { continue }
            let own = object[field]?.objectValue ?? [:]
            object[field] = .object(shared.merging(own) { _, mine in mine })
        }
        return object
    }

    /// Segment's clock-skew correction: the device clock may be wrong, but the time between the event
    /// and sending it is right, so `timestamp = receivedAt - (sentAt - timestamp)`.
    func correctedTimestamp(_ message: SegmentMessage) -> Date {
        guard let timestamp = message.timestamp ?? message.originalTimestamp else { return facts.receivedAt }
        guard let sentAt = message.sentAt ?? facts.batchSentAt else { return timestamp }
        return facts.receivedAt.addingTimeInterval(-sentAt.timeIntervalSince(timestamp))
    }
}
