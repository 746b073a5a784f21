// A consumer worker for the outbox process tests. Its handler records every message it handles in
// `probe_handled`, in the consumer's transaction, optionally sleeping first so a test can kill it mid-batch.
//
// Environment: KINSHIP_DATABASE_URL, PROBE_GROUP, PROBE_TOPIC, PROBE_PARTITIONS, PROBE_WORKER,
// PROBE_DELAY_MS (per message, default 0), PROBE_BATCH (default 100), PROBE_LEASE_MS (default 2000),
// PROBE_HEARTBEAT_MS (default 300).
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import PostgresNIO
import ServiceLifecycle

let environment = KinshipCore.Environment()
let url = try DatabaseURL(parsing: environment.required("KINSHIP_DATABASE_URL"))
let worker = try environment.required("PROBE_WORKER")
let delay = try environment.integer("PROBE_DELAY_MS", default: 0, range: 0...60_000)
var options = OutboxConsumerOptions()
options.batchSize = try environment.integer("PROBE_BATCH", default: 100, range: 1...10_000)
options.leaseDuration = .milliseconds(try environment.integer("PROBE_LEASE_MS", default: 2000, range: 100...60_000))
options.heartbeatInterval = .milliseconds(try environment.integer("PROBE_HEARTBEAT_MS", default: 300, range: 10...60_000))
options.pollInterval = .milliseconds(200)
let topic = OutboxTopic(
    try environment.required("PROBE_TOPIC"),
    partitions: try environment.integer("PROBE_PARTITIONS", default: 4, range: 1...1024)
)

var logger = Logger(label: "outbox-probe")
logger.logLevel = .warning
let database = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
let consumer = OutboxConsumer(
    group: try environment.required("PROBE_GROUP"), topic: topic, database: database, logger: logger,
    options: options, workerID: worker
) { message, connection in
    if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
    try await connection.query(
        "INSERT INTO probe_handled (message_id, worker, key, payload) VALUES (\(message.id), \(worker), \(message.key), \(message.payload))",
        logger: logger
    )
}
let group = ServiceGroup(services: [database, consumer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
try await group.run()
