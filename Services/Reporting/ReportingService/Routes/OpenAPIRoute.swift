import Foundation
import Hummingbird
import KinshipCore
import KinshipService

/// `GET /openapi.json`: the OpenAPI 3.1 document of the public API, as shipped in the service's resources.
/// No key needed: it describes the API, it holds no data. A test fails when a route exists that the
/// document lacks, or the reverse.
struct OpenAPIRoute: Sendable {
    static let document: Data? = Bundle.module.url(forResource: "openapi", withExtension: "json").flatMap { try? Data(contentsOf: $0) }

    func add(to router: Router<KinshipRequestContext>) {
        router.get("openapi.json") { _, _ in
            guard let document = Self.document else {
                throw KinshipError(code: .internalError, status: .internalServerError, message: "The OpenAPI document is missing from this build.")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: document))
            )
        }
    }
}
