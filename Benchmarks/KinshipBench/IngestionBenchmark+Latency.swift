import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import NIOCore

/// Single `POST /v1/track` requests at a fixed rate: latencies after the warm-up second, and failures.
struct TrackLoad: Sendable {
    /// Requests started per second, as achieved (the target is the configured rate), and answered per
    /// second (from the first start to the last answer): lower when the service cannot keep up.
    let achievedRate: Double
    let answeredRate: Double
    /// Milliseconds from each request's scheduled start to its answer, over the requests after the first second.
    let p50: Double
    let p99: Double
    let max: Double
    let measured: Int
    /// Measured requests slower than the goal, and the seconds of the load (counted from its start) in which
    /// they were sent, most first: one bad second points at a stall, spread ones at a service too slow.
    let slow: Int
    let slowSeconds: [(second: Int, requests: Int)]
    let requests: Int
    let stored: Int
    let failedRequests: Int
    let failures: [String]
}

/// The open loop's progress; used on the load client's event loop only.
private final class OpenLoop {
    var started = 0
    var answered = 0
    var latencies: [Double?]
    var tally = SendTally()
    var lastStarted = NIODeadline.now()

    init(requests: Int) {
        latencies = Array(repeating: nil, count: requests)
    }
}

/// What the open loop hands back once every request has been answered.
private struct OpenLoopRecord: Sendable {
    let latencies: [Double?]
    let tally: SendTally
    let lastStarted: NIODeadline
    let lastAnswered: NIODeadline
}

extension IngestionBenchmark {
    /// Starts request n at start + n / rate, open loop: a slow answer does not delay the next request, and
    /// its latency counts from when it should have started (waiting for a free connection included).
    func sendTracks(writeKey: String, _ load: LoadClient) async throws -> TrackLoad {
        let rate = configuration.latencyRate
        let total = rate * configuration.latencySeconds
        progress("track: \(total) single POST /v1/track at \(rate) req/s, open loop")
        let timestamp = Timestamp.format(Date())
        let authorization = Self.basicAuthorization(writeKey)
        let requests = (0..<total).map {
            LoadClient.Request(post: "/v1/track", host: Self.host, authorization: authorization,
                               body: ByteBuffer(string: event($0, phase: "track", timestamp: timestamp)))
        }

        let start = NIODeadline.now()
        let scheduled = { @Sendable (n: Int) in start + .nanoseconds(Int64(n) * 1_000_000_000 / Int64(rate)) }
        let record = try await load.run { (connections, promise: EventLoopPromise<OpenLoopRecord>) in
            let loop = OpenLoop(requests: total)
            let eventLoop = promise.futureResult.eventLoop
            // Starts every request whose time has come, then sleeps until the next one's.
            func startDue() {
                let now = NIODeadline.now()
                while loop.started < total, scheduled(loop.started) <= now {
                    let n = loop.started
                    loop.started += 1
                    connections.send(requests[n]) { answer in
                        let answered = NIODeadline.now()
                        loop.latencies[n] = Double((answered - scheduled(n)).nanoseconds) / 1_000_000
                        loop.tally.add(SendOutcome(answer, expecting: 1))
                        loop.answered += 1
                        if loop.answered == total {
                            promise.succeed(OpenLoopRecord(latencies: loop.latencies, tally: loop.tally, lastStarted: loop.lastStarted, lastAnswered: answered))
                        }
                    }
                }
                if loop.started < total {
                    eventLoop.assumeIsolated().scheduleTask(deadline: scheduled(loop.started)) { startDue() }
                } else {
                    loop.lastStarted = now
                }
            }
            startDue()
        }

        let seconds = { (end: NIODeadline) in Double((end - start).nanoseconds) / 1e9 }
        let measured = record.latencies.enumerated().dropFirst(rate).compactMap { n, latency in latency.map { (n, $0) } }
        let sorted = measured.map(\.1).sorted()
        let slow = measured.filter { $0.1 >= IngestionBenchResult.trackP99Goal }
        let slowSeconds = Dictionary(grouping: slow, by: { $0.0 / rate }).map { (second: $0.key, requests: $0.value.count) }
            .sorted { ($0.requests, $1.second) > ($1.requests, $0.second) }
        return TrackLoad(
            achievedRate: Double(total - 1) / seconds(record.lastStarted), answeredRate: Double(total) / seconds(record.lastAnswered),
            p50: percentile(0.50, of: sorted), p99: percentile(0.99, of: sorted), max: sorted.last ?? 0,
            measured: sorted.count, slow: slow.count, slowSeconds: slowSeconds, requests: total, stored: record.tally.stored,
            failedRequests: record.tally.failed, failures: record.tally.failures
        )
    }
}
