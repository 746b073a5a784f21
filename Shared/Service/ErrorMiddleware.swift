import Hummingbird
import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO

/// Renders every error a route throws in the one Kinship error shape, so no service leaks a stack
/// trace, a Postgres message or Hummingbird's default body.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw KinshipError(rendering: error, logger: context.logger)
        }
    }
}

extension KinshipError {
    /// Maps any error to the error a client sees; unexpected ones are logged here, once.
    init(rendering error: any Error, logger: Logger) {
        switch error {
        case let error as KinshipError:
            self = error
        case let error as HTTPError:
            self = KinshipError(
                code: Self.code(for: error.status),
                status: error.status,
                message: error.body ?? error.status.reasonPhrase,
                headers: error.headers
            )
        case let error as PSQLError where error.isConnectionFailure:
            logger.error("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            self = .databaseUnavailable()
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            self = .internalError
        }
    }

    static func code(for status: HTTPResponse.Status) -> ErrorCode {
        switch status {
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .contentTooLarge: .bodyTooLarge
        case .unauthorized: .unauthorized
        case .badRequest: .badRequest
        default: status.code < 500 ? .clientError : .internalError
        }
    }
}

extension PSQLError {
    /// True when the database could not be reached, as opposed to a query it refused.
    public var isConnectionFailure: Bool {
        switch code {
        case .connectionError, .uncleanShutdown, .serverClosedConnection, .clientClosedConnection, .poolClosed:
            true
        default:
            false
        }
    }
}
