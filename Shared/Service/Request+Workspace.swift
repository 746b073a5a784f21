import Foundation
import Hummingbird
import KinshipCore
import NIOCore

extension Request {
    /// The `workspace` query parameter every internal call names.
    public func workspaceParameter() throws -> UUID {
        guard let text = uri.queryParameters.get("workspace"), let id = UUID(uuidString: text) else {
            throw KinshipError.badRequest(.missingWorkspace, "workspace (the workspace id) is required.")
        }
        return id
    }

    /// An operator's JSON body (small: rules or an unmerge request).
    public mutating func operatorBody() async throws -> Data {
        let limit = 1 << 20
        do {
            return Data(buffer: try await collectBody(upTo: limit))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw KinshipError(code: .bodyTooLarge, status: .contentTooLarge, message: "The body may be at most 1 MB.")
        } catch is NIOTooManyBytesError {
            throw KinshipError(code: .bodyTooLarge, status: .contentTooLarge, message: "The body may be at most 1 MB.")
        }
    }
}
