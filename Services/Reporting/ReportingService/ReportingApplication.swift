import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipService
import PostgresNIO
import ServiceLifecycle

/// The reporting service: the public HTTP API that people and tools call (`/v1/…`, an API key each),
/// answering from Postgres and from identity's and segmentation's internal APIs (docs/reporting.md), and the
/// worker that keeps the reports' rollups from the outbox.
public enum ReportingApplication {
    public static func build(
        _ runtime: ServiceRuntime, configuration: ReportingConfiguration = ReportingConfiguration(),
        consumerOptions: OutboxConsumerOptions = OutboxConsumerOptions()
    ) throws -> some ApplicationProtocol {
        let (router, services) = try routes(runtime, configuration: configuration)
        // The rollups are written to the primary; reports may read them from a replica.
        let rollups = ReportRollupWorker(
            consumer: ReportRollupConsumer(logger: runtime.logger), database: runtime.database, options: consumerOptions, logger: runtime.logger
        )
        let privacy = PrivacySteps.consumer(.reporting, database: runtime.database, options: consumerOptions, logger: runtime.logger) {
            workspaceID, profiles, connection in
            try await ReportRollupErasure.erase(profiles, in: workspaceID, on: connection, logger: runtime.logger)
        }
        let workers: [any Service] = [rollups, privacy]
        return runtime.makeApplication(router: router, services: services + workers)
    }

    /// The router with every route, and the services it needs running beside it (a read replica's pool).
    static func routes(_ runtime: ServiceRuntime, configuration: ReportingConfiguration) throws -> (Router<KinshipRequestContext>, [any Service]) {
        let router = runtime.makeRouter()
        let dashboardPages = try DashboardPages.load()
        let keyring = runtime.configuration.masterKeys
        let tenancy = TenancyStore(database: runtime.database, keyring: keyring, logger: runtime.logger)
        let access = APIKeyAuthenticator(tenancy: tenancy, failuresPerMinute: configuration.authenticationFailuresPerMinute)
        let token = runtime.configuration.internalToken
        let identity = Upstream(client: InternalClient(baseURL: configuration.identityURL, token: token), name: "identity")
        let segmentation = Upstream(client: InternalClient(baseURL: configuration.segmentationURL, token: token), name: "segmentation")
        // Reads that may lag a little (reports, lists) can go to a replica; the pool is its own service.
        let reads = configuration.readDatabase.map { PostgresClient(configuration: $0.clientConfiguration, backgroundLogger: runtime.logger) }
        let readDatabase = reads ?? runtime.database
        let workspaceKeys = WorkspaceKeyCache(database: runtime.database, keyring: keyring, logger: runtime.logger)

        let audit = AuditLog(database: runtime.database, logger: runtime.logger)
        let profiles = ProfileReader(identity: identity, database: readDatabase, workspaceKeys: workspaceKeys, audit: audit)
        ProfileRoutes(access: access, reader: profiles).add(to: router)
        let segments = SegmentReader(segmentation: segmentation, identity: identity, database: readDatabase)
        SegmentRoutes(access: access, reader: segments).add(to: router)
        KeyRoutes(access: access, tenancy: tenancy).add(to: router)
        // Privacy requests write, and an export must hold everything: both use the primary.
        let exportReader = ProfileReader(
            identity: identity, database: runtime.database, workspaceKeys: workspaceKeys, audit: audit
        )
        PrivacyRoutes(
            access: access, identity: identity, store: PrivacyRequestStore(database: runtime.database, logger: runtime.logger),
            export: PersonExport(profiles: exportReader, database: runtime.database, workspaceKeys: workspaceKeys)
        ).add(to: router)
        PrivacyPolicyRoutes(access: access, store: PrivacyPolicyStore(database: runtime.database, logger: runtime.logger)).add(to: router)
        ReportRoutes(access: access, database: readDatabase, keyring: keyring).add(to: router)
        OpenAPIRoute().add(to: router)
        DashboardRoutes(
            access: access, sessions: DashboardSessions(database: runtime.database, logger: runtime.logger),
            pages: dashboardPages, database: readDatabase, keyring: keyring, profiles: profiles, segments: segments
        ).add(to: router)
        return (router, reads.map { [$0] } ?? [])
    }
}
