import Crypto
import Foundation
import Hummingbird
import KinshipCore
import KinshipPrivacy

/// Guards `/internal/*` routes: the caller must send `Authorization: Bearer <KINSHIP_INTERNAL_TOKEN>`.
public struct InternalTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let expectedDigest: Data

    public init(token: String) {
        self.expectedDigest = Data(SHA256.hash(data: Data(token.utf8)))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw KinshipError.unauthorized(.missingInternalToken, "Internal endpoints need `Authorization: Bearer <internal token>`.")
        }
        // Comparing digests keeps the comparison's time independent of where the strings differ.
        let given = Data(SHA256.hash(data: Data(header.dropFirst("Bearer ".count).utf8)))
        guard given == expectedDigest else {
            throw KinshipError.unauthorized(.invalidInternalToken, "The internal token is not valid.")
        }
        return try await next(request, context)
    }
}
