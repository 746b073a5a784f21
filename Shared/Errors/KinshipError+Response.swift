import Foundation
import Hummingbird

extension KinshipError: HTTPResponseError {
    /// The JSON body every service answers errors with.
    struct Body: Codable, Equatable {
        struct Detail: Codable, Equatable {
            let code: String
            let message: String
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(Body(error: .init(code: code, message: message)))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
