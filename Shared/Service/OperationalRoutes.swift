import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO
import Prometheus

/// `/healthz`, `/readyz` and `/metrics`, the same on every service.
public struct OperationalRoutes: Sendable {
    let database: PostgresClient
    let registry: PrometheusCollectorRegistry
    let migrations: MigrationRunner

    public init(database: PostgresClient, registry: PrometheusCollectorRegistry, migrations: MigrationRunner = MigrationRunner()) {
        self.database = database
        self.registry = registry
        self.migrations = migrations
    }

    public func add<Context: RequestContext>(to router: Router<Context>) {
        // Process up: answers without touching the database, for liveness probes.
        router.get("healthz") { _, _ in
            Response.json(#"{"status":"ok"}"#)
        }
        // Ready for traffic: the database answers and carries exactly this binary's migrations.
        router.get("readyz") { _, context in
            let current: Bool
            do {
                current = try await Deadline.run(.seconds(3)) {
                    try await migrations.isCurrent(database, logger: context.logger)
                }
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
                throw KinshipError.databaseUnavailable()
            }
            guard current else {
                throw KinshipError(
                    code: .notMigrated, status: .serviceUnavailable,
                    message: "The database schema does not match this release; run `kinship migrate`."
                )
            }
            return Response.json(#"{"status":"ready"}"#)
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}

extension Response {
    /// A `200` with a JSON body already rendered.
    public static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A `200` with `value` written as the shared JSON encoder writes it, without walking `Codable`.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16_384)
        value.write(into: &bytes)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A `200` with `value` encoded by the shared JSON encoder.
    public static func json(encoding value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = try JSONCoding.encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
