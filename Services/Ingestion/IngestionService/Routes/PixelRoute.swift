import Foundation
import HTTPTypes
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import Metrics

/// `GET /v1/pixel/{track|page|identify}?data=<base64 JSON message with writeKey>`, as Segment's pixel
/// API: for e-mail opens and pages where no script runs. It always answers a 1×1 transparent GIF, so
/// a mail client never shows a broken image; bad input of a known source goes to its failed events.
struct PixelRoute: Sendable {
    let collector: Collector
    static let types: Set<String> = ["track", "page", "identify"]

    func add(to router: Router<KinshipRequestContext>) {
        router.get("v1/pixel/:type") { request, context in
            do {
                try await collect(request, context)
            } catch {
                let code = ((error as? KinshipError)?.code ?? .internalError).rawValue
                Counter(label: "kinship_ingestion_pixel_problems_total", dimensions: [("code", code)]).increment()
                context.logger.info("pixel input not stored", metadata: ["code": "\(code)"])
            }
            return Self.gif
        }
    }

    private func collect(_ request: Request, _ context: KinshipRequestContext) async throws {
        guard let data = request.uri.queryParameters.get("data"), let decoded = Self.base64(data) else {
            throw KinshipError.badRequest(.invalidPixelData, "data must be a base64 JSON message.")
        }
        guard case .object(let message) = try JSONValue.parse(decoded) else {
            throw KinshipError.badRequest(.invalidPixelData, "data must be a JSON object.")
        }
        guard let writeKey = message["writeKey"]?.stringValue else { throw SourceDirectory.missingWriteKey }
        let source = try await collector.authenticate(writeKey, request, context)
        var metadata = RequestMetadata.from(request, context, source: source, collector: collector)
        let type = context.parameters.get("type") ?? ""
        var object = message
        if Self.types.contains(type) {
            metadata.impliedType = TrackingMessageType(rawValue: type)
        } else {
            // Refused by the usual rules, and so kept in the source's failed events.
            object["type"] = .string(type)
        }
        let result = try await collector.collect([IncomingMessage(.object(object))], metadata: metadata)
        if let refusal = result.refused.first { throw refusal.error }
    }

    /// Standard or URL-safe alphabet, with or without padding (mail templates produce all four).
    static func base64(_ text: String) -> Data? {
        text.lenientBase64Decoded.map { Data($0) }
    }

    static let gif: Response = {
        let bytes = Data(base64Encoded: "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")!
        return Response(
            status: .ok,
            headers: [
                .contentType: "image/gif",
                .cacheControl: "no-cache, no-store, must-revalidate, private, max-age=0",
                HTTPField.Name("Pragma")!: "no-cache",
                .expires: "0",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }()
}
