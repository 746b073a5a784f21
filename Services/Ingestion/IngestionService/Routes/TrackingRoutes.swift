import Foundation
import HTTPTypes
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// Segment's HTTP Tracking API: `POST /v1/{identify,track,page,screen,group,alias}` and `/v1/batch`.
struct TrackingRoutes: Sendable {
    let collector: Collector

    func add(to router: Router<KinshipRequestContext>) {
        let v1 = router.group("v1")
        v1.post("batch") { request, context in try await batch(request, context) }
        for type in TrackingMessageType.allCases {
            v1.post(RouterPath(stringLiteral: type.rawValue)) { request, context in try await single(type, request, context) }
        }
    }

    private func single(_ type: TrackingMessageType, _ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let message = try MessageBody.single(try await JSONBody.read(request, limit: IngestionLimits.batchBytes), type: type)
        let source = try await authenticate(request, bodyKey: message.object["writeKey"]?.stringValue)
        var metadata = RequestMetadata.from(request, context, source: source, collector: collector)
        metadata.impliedType = type
        let result = try await collector.collect([consume message], metadata: metadata)
        // One message: its refusal is the answer (it is kept in failed events all the same).
        if let refusal = result.refused.first { throw refusal.error }
        return .json(CollectResponse(result))
    }

    private func batch(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var body = try MessageBody.batch(try await JSONBody.read(request, limit: IngestionLimits.batchBytes))
        let object = body.fields
        // The collector's alone, so it can change each message in place.
        let messages = body.messages
        body.messages = []
        let bodyKey = object["writeKey"]?.stringValue ?? messages.lazy.compactMap { $0.object["writeKey"]?.stringValue }.first
        let source = try await authenticate(request, bodyKey: bodyKey)
        var metadata = RequestMetadata.from(request, context, source: source, collector: collector)
        metadata.batchContext = try Self.object(object["context"], field: "context")
        metadata.batchIntegrations = try Self.object(object["integrations"], field: "integrations")
        if let sentAt = object["sentAt"], sentAt != .null {
            guard let text = sentAt.stringValue, let date = Timestamp.parse(text) else {
                throw KinshipError.badRequest(.invalidField, "sentAt is not an ISO-8601 timestamp")
            }
            // It corrects every message's clock: one absurd value would make event times Postgres refuses.
            guard MessageValidation.plausibleDates.contains(date) else {
                throw KinshipError.badRequest(.invalidTimestamp, "The batch's sentAt must fall between the years 2000 and 2100.")
            }
            metadata.batchSentAt = date
        }
        return .json(CollectResponse(try await collector.collect(consume messages, metadata: metadata)))
    }

    private func authenticate(_ request: Request, bodyKey: String?) async throws -> AuthenticatedSource {
        guard let writeKey = WriteKey.fromAuthorization(request) ?? bodyKey else { throw SourceDirectory.missingWriteKey }
        return try await collector.directory.authenticate(writeKey: writeKey)
    }

    private static func object(_ value: JSONValue?, field: String) throws -> [String: JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .object(let object)?: return object
        default: throw KinshipError.badRequest(.invalidField, "\(field) must be of type object")
        }
    }
}

extension RequestMetadata {
    static func from(_ request: Request, _ context: KinshipRequestContext, source: AuthenticatedSource, collector: Collector) -> RequestMetadata {
        let forwarded = request.headers[values: .xForwardedFor].joined(separator: ",")
        return RequestMetadata(
            source: source,
            receivedAt: Date(),
            clientAddress: IngestionService.clientAddress(
                forwardedFor: forwarded.isEmpty ? nil : forwarded, peer: context.remoteAddress?.ipAddress,
                trustedProxies: collector.configuration.trustedProxies
            ),
            userAgent: request.headers[.userAgent]
        )
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
