import AsyncHTTPClient
import Foundation
import NIOCore
import Shared
import Synchronization

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

/// Each request's latency and outcome, recorded by the request's own task.
private final class TrackLog: Sendable {
    private let latencies: Mutex<[Double?]>
    private let tally = Mutex(SendTally())

    init(requests: Int) {
        latencies = Mutex([Double?](repeating: nil, count: requests))
    }

    func record(_ n: Int, milliseconds: Double, _ outcome: SendOutcome) {
        latencies.withLock { $0[n] = milliseconds }
        tally.withLock { $0.add(outcome) }
    }

    var all: [Double?] { latencies.withLock { $0 } }
    var outcomes: SendTally { tally.withLock { $0 } }
}

extension IngestionBenchmark {
    /// Starts request n at start + n / rate, each in its own task, open loop: a slow answer does not delay
    /// the next request, and its latency counts from when it should have started.
    func sendTracks(writeKey: String, _ service: ServiceProcess, _ client: HTTPClient) async throws -> TrackLoad {
        let rate = configuration.latencyRate
        let total = rate * configuration.latencySeconds
        progress("track: \(total) single POST /v1/track at \(rate) req/s, open loop")
        let timestamp = Timestamp.format(Date())
        let bodies = (0..<total).map { ByteBuffer(string: event($0, phase: "track", timestamp: timestamp)) }
        let url = service.url + "/v1/track"
        let authorization = Self.basicAuthorization(writeKey)
        let log = TrackLog(requests: total)
        let interval = Duration.seconds(1) / rate

        let start = ContinuousClock.now
        var lastStarted = start
        try await withThrowingDiscardingTaskGroup { group in
            for n in 0..<total {
                let scheduled = start + interval * n
                try await Task.sleep(until: scheduled, clock: .continuous)
                let request = Self.post(url, authorization: authorization, body: bodies[n])
                group.addTask {
                    let outcome = await Self.send(request, expecting: 1, client)
                    log.record(n, milliseconds: (ContinuousClock.now - scheduled).inMilliseconds, outcome)
                }
            }
            lastStarted = .now
        }
        let lastAnswered = ContinuousClock.now

        let measured = log.all.enumerated().dropFirst(rate).compactMap { n, latency in latency.map { (n, $0) } }
        let sorted = measured.map(\.1).sorted()
        let slow = measured.filter { $0.1 >= IngestionBenchResult.trackP99Goal }
        let slowSeconds = Dictionary(grouping: slow, by: { $0.0 / rate }).map { (second: $0.key, requests: $0.value.count) }
            .sorted { ($0.requests, $1.second) > ($1.requests, $0.second) }
        let outcomes = log.outcomes
        return TrackLoad(
            achievedRate: perSecond(total - 1, lastStarted - start), answeredRate: perSecond(total, lastAnswered - start),
            p50: percentile(0.50, of: sorted), p99: percentile(0.99, of: sorted), max: sorted.last ?? 0,
            measured: sorted.count, slow: slow.count, slowSeconds: slowSeconds, requests: total, stored: outcomes.stored,
            failedRequests: outcomes.failed, failures: outcomes.failures
        )
    }
}
