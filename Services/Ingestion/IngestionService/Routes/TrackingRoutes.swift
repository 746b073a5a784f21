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
        let headerSource = try await authenticateByHeader(request, context)
        let message = try MessageBody.single(try await JSONBody.read(request, limit: IngestionLimits.batchBytes), type: type)
        let source = try await authenticate(request, context, byHeader: headerSource, bodyKey: message.object["writeKey"]?.stringValue)
        var metadata = RequestMetadata.from(request, context, source: source, collector: collector)
        metadata.impliedType = type
        let result = try await collector.collect([consume message], metadata: metadata)
        // One message: its refusal is the answer (it is kept in failed events all the same).
        if let refusal = result.refused.first { throw refusal.error }
        return .json(CollectResponse(result))
    }

    private func batch(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let headerSource = try await authenticateByHeader(request, context)
        var body = try MessageBody.batch(try await JSONBody.read(request, limit: IngestionLimits.batchBytes))
        let object = body.fields
        // The collector's alone, so it can change each message in place.
        let messages = body.messages
        body.messages = []
        let source = try await authenticate(
            request, context, byHeader: headerSource,
            bodyKey: object["writeKey"]?.stringValue ?? messages.lazy.compactMap { $0.object["writeKey"]?.stringValue }.first
        )
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

    /// The source of an HTTP Basic write key, checked before the body is read, inflated and parsed: a
    /// request with a wrong key costs no more than its headers. Nil when the key is not in the header.
    private func authenticateByHeader(_ request: Request, _ context: KinshipRequestContext) async throws -> AuthenticatedSource? {
        guard let writeKey = WriteKey.fromAuthorization(request) else { return nil }
        return try await collector.authenticate(writeKey, request, context)
    }

    /// The source the header named, else that of the key a browser sends in the body.
    private func authenticate(
        _ request: Request, _ context: KinshipRequestContext, byHeader: AuthenticatedSource?, bodyKey: @autoclosure () -> String?
    ) async throws -> AuthenticatedSource {
        if let byHeader { return byHeader }
        guard let writeKey = bodyKey() else { throw SourceDirectory.missingWriteKey }
        return try await collector.authenticate(writeKey, request, context)
    }

    private static func object(_ value: JSONValue?, field: String) throws -> [String: JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .object(let object)?: return object
        default: throw KinshipError.badRequest(.invalidField, "\(field) must be of type object")
        }
    }
}

extension Collector {
    /// The source of a write key a request carried, its failures counted against the request's client.
    func authenticate(_ writeKey: String, _ request: Request, _ context: KinshipRequestContext) async throws -> AuthenticatedSource {
        try await directory.authenticate(writeKey: writeKey, clientAddress: RequestMetadata.clientAddress(request, context, collector: self))
    }
}

extension RequestMetadata {
    static func from(_ request: Request, _ context: KinshipRequestContext, source: AuthenticatedSource, collector: Collector) -> RequestMetadata {
        RequestMetadata(
            source: source, receivedAt: Date(), clientAddress: clientAddress(request, context, collector: collector),
            userAgent: request.headers[.userAgent]
        )
    }

    /// The client's address: the connection's peer, or behind trusted proxies what they forwarded.
    static func clientAddress(_ request: Request, _ context: KinshipRequestContext, collector: Collector) -> String? {
        let forwarded = request.headers[values: .xForwardedFor].joined(separator: ",")
        return IngestionService.clientAddress(
            forwardedFor: forwarded.isEmpty ? nil : forwarded, peer: context.remoteAddress?.ipAddress,
            trustedProxies: collector.configuration.trustedProxies
        )
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
