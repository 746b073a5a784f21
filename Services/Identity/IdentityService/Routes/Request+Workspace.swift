import Foundation
import Hummingbird
import NIOCore
import Shared

extension Request {
    /// The `workspace` query parameter every internal identity call names.
    func workspaceParameter() throws -> UUID {
        guard let text = uri.queryParameters.get("workspace"), let id = UUID(uuidString: text) else {
            throw KinshipError.badRequest("missing_workspace", "workspace (the workspace id) is required.")
        }
        return id
    }

    /// An operator's JSON body (small: rules or an unmerge request).
    mutating func operatorBody() async throws -> Data {
        let limit = 1 << 20
        do {
            return Data(buffer: try await collectBody(upTo: limit))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw KinshipError(code: "body_too_large", status: .contentTooLarge, message: "The body may be at most 1 MB.")
        } catch is NIOTooManyBytesError {
            throw KinshipError(code: "body_too_large", status: .contentTooLarge, message: "The body may be at most 1 MB.")
        }
    }
}
