import HTTPTypes

/// The one error type of Kinship: a stable machine-readable code, an HTTP status and a human message.
///
/// Every service renders it as `{"error": {"code": "...", "message": "..."}}`; its code comes from the one
/// catalogue, `ErrorCode`.
public struct KinshipError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    public let status: HTTPResponse.Status
    public let message: String
    /// Extra response headers, such as `Retry-After` on `503` and `429`.
    public let headers: HTTPFields

    public init(code: ErrorCode, status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(code.rawValue) (\(status.code)): \(message)" }
}

extension KinshipError {
    public static func badRequest(_ code: ErrorCode, _ message: String) -> KinshipError {
        KinshipError(code: code, status: .badRequest, message: message)
    }

    public static func notFound(_ message: String = "No such resource.") -> KinshipError {
        KinshipError(code: .notFound, status: .notFound, message: message)
    }

    public static func unauthorized(_ code: ErrorCode, _ message: String) -> KinshipError {
        KinshipError(code: code, status: .unauthorized, message: message)
    }

    public static func databaseUnavailable(retryAfterSeconds: Int = 5) -> KinshipError {
        KinshipError(
            code: .databaseUnavailable,
            status: .serviceUnavailable,
            message: "The database cannot be reached; retry later.",
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    public static let internalError = KinshipError(
        code: .internalError, status: .internalServerError, message: "An unexpected error occurred; it has been logged."
    )
}
