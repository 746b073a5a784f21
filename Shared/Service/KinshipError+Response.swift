import Foundation
import Hummingbird
import KinshipCore

extension KinshipError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONCoding.encoder().encode(ErrorBody(self))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
