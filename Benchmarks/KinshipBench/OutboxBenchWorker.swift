import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import PostgresNIO
import ServiceLifecycle

/// `kinship-bench outbox-worker`: one consumer of the outbox benchmark's topic, run as its own process by
/// the two-worker measure. Its handler only counts; the parent watches the group's cursors, and reads the
/// count this process prints on standard output as it stops.
///
/// Environment: the parent's, plus `KINSHIP_BENCH_GROUP` and `KINSHIP_BENCH_WORKER`. SIGTERM stops it.
enum OutboxBenchWorker {
    static func run(_ environment: Environment) async throws {
        // The parent's environment, so the same consumer options.
        let configuration = try OutboxBenchConfiguration(environment)
        let group = try environment.required("KINSHIP_BENCH_GROUP")
        let worker = try environment.required("KINSHIP_BENCH_WORKER")
        var logger = Logger(label: "kinship.bench.worker")
        logger.logLevel = .warning
        let handled = HandledCounter(target: .max)
        let database = PostgresClient(configuration: configuration.database.clientConfiguration, backgroundLogger: poolLogger)
        let consumer = OutboxConsumer(
            group: group, topic: OutboxBenchmark.topic, database: database, logger: logger,
            options: configuration.consumerOptions, workerID: worker
        ) { _, _ in
            handled.increment()
        }
        let services = ServiceGroup(services: [database, consumer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await services.run()
        print(handled.value)
    }
}
