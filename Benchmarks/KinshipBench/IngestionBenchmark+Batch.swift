import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import NIOCore

/// One load of `POST /v1/batch` requests.
struct BatchLoad: Sendable {
    let duration: Duration
    let requests: Int
    /// Events the answers said were stored, and said were repeats.
    let stored: Int
    let duplicates: Int
    /// Requests not answered `200` with every event stored or repeated, and the first few reasons.
    let failedRequests: Int
    let failures: [String]
    /// The load at full concurrency: the events stored by the answers that came after the first
    /// `concurrency` answers and before the last request was sent, and that time. A closed loop starts
    /// with every request arriving at once and ends with fewer and fewer in flight; neither is the
    /// service's sustained rate, and with a load split into rounds they weighed on every round.
    let steadyStored: Int
    let steadyDuration: Duration

    /// Events stored per second at full concurrency, or over the whole load when it was too short to have a steady part.
    var rate: Double {
        steadyDuration > .zero ? perSecond(steadyStored, steadyDuration) : perSecond(stored, duration)
    }

    /// Loads run one after another, as one: their times and counts added up.
    init(sequence loads: [BatchLoad]) {
        duration = loads.reduce(.zero) { $0 + $1.duration }
        requests = loads.reduce(0) { $0 + $1.requests }
        stored = loads.reduce(0) { $0 + $1.stored }
        duplicates = loads.reduce(0) { $0 + $1.duplicates }
        failedRequests = loads.reduce(0) { $0 + $1.failedRequests }
        failures = Array(loads.flatMap(\.failures).prefix(5))
        let steady = loads.allSatisfy { $0.steadyDuration > .zero }
        steadyStored = steady ? loads.reduce(0) { $0 + $1.steadyStored } : 0
        steadyDuration = steady ? loads.reduce(.zero) { $0 + $1.steadyDuration } : .zero
    }

    init(duration: Duration, requests: Int, tally: SendTally, steadyStored: Int = 0, steadyDuration: Duration = .zero) {
        (self.duration, self.requests, stored, duplicates) = (duration, requests, tally.stored, tally.duplicates)
        (failedRequests, failures) = (tally.failed, tally.failures)
        (self.steadyStored, self.steadyDuration) = (steadyStored, steadyDuration)
    }
}

/// The closed loop's progress; used on the load client's event loop only.
private final class ClosedLoop {
    var sent = 0
    var answered = 0
    var tally = SendTally()
    /// The steady part (`BatchLoad.steadyStored`): when it began and ended, and what was stored meanwhile.
    var steadyStart: NIODeadline?
    var steadyEnd: NIODeadline?
    var steadyStored = 0

    /// When the first request was sent.
    let start = NIODeadline.now()

    /// The load, once every answer is in. A load too short to have a steady part has none (its rate is then
    /// over the whole load).
    func load(requests: Int) -> BatchLoad {
        let duration = Duration.nanoseconds((NIODeadline.now() - start).nanoseconds)
        guard let steadyStart, let steadyEnd, steadyStored > 0 else { return BatchLoad(duration: duration, requests: requests, tally: tally) }
        return BatchLoad(
            duration: duration, requests: requests, tally: tally,
            steadyStored: steadyStored, steadyDuration: .nanoseconds((steadyEnd - steadyStart).nanoseconds)
        )
    }
}

extension IngestionBenchmark {
    /// Sends `events` events, `batchSize` per request, with `concurrency` requests in flight: the time from
    /// the first request to the last answer, and what the answers said.
    func sendBatches(events: Int, phase: String, writeKey: String, _ load: LoadClient) async throws -> BatchLoad {
        let c = configuration
        let timestamp = Timestamp.format(Date())
        let authorization = Self.basicAuthorization(writeKey)
        // Made before the clock starts, so the load generator spends its CPU on sending only.
        let requests: [LoadClient.Request] = stride(from: 0, to: events, by: c.batchSize).map { first in
            var body = ByteBuffer()
            body.writeString(#"{"batch":["#)
            for n in first..<min(first + c.batchSize, events) {
                if n > first { body.writeString(",") }
                body.writeString(event(n, phase: phase, timestamp: timestamp))
            }
            body.writeString("]}")
            return LoadClient.Request(post: "/v1/batch", host: Self.host, authorization: authorization, body: body)
        }
        let counts = (0..<requests.count).map { min(c.batchSize, events - $0 * c.batchSize) }
        guard !requests.isEmpty else { return BatchLoad(duration: .zero, requests: 0, tally: SendTally()) }

        return try await load.run { (connections, promise: EventLoopPromise<BatchLoad>) in
            let loop = ClosedLoop()
            // Each answer sends the next request, so `concurrency` are in flight until the last.
            func sendNext() {
                guard loop.sent < requests.count else { return }
                let index = loop.sent
                loop.sent += 1
                if loop.sent == requests.count, loop.steadyStart != nil { loop.steadyEnd = .now() }
                connections.send(requests[index]) { answer in
                    let outcome = SendOutcome(answer, expecting: counts[index])
                    loop.tally.add(outcome)
                    loop.answered += 1
                    if loop.steadyStart != nil, loop.steadyEnd == nil, case .answered(let stored, _) = outcome { loop.steadyStored += stored }
                    if loop.answered == c.concurrency { loop.steadyStart = .now() }
                    if loop.answered == requests.count { promise.succeed(loop.load(requests: requests.count)) } else { sendNext() }
                }
            }
            for _ in 0..<min(c.concurrency, requests.count) { sendNext() }
        }
    }

    /// A track event of `eventBytes` bytes of JSON (for any size above its fixed part, about 360 bytes),
    /// shaped like a shop's: a product, a browser's user agent, a page with a campaign parameter.
    func event(_ n: Int, phase: String, timestamp: String) -> String {
        let head = #"{"type":"track","messageId":"\#(runID)-\#(phase)-\#(n)","userId":"user-\#(n % 10_000)","event":"Product Viewed","timestamp":"\#(timestamp)","#
            + #""properties":{"product_id":"p-\#(n % 997)","price":49.5,"currency":"EUR","pad":""#
        let tail = #""},"context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0","#
            + #""page":{"url":"https://shop.example.com/p/\#(n % 997)?utm_source=mail&utm_campaign=spring"}}}"#
        return head + String(repeating: "x", count: max(0, configuration.eventBytes - head.utf8.count - tail.utf8.count)) + tail
    }

    /// Segment's libraries' authentication: HTTP Basic, the write key as the user name.
    static func basicAuthorization(_ writeKey: String) -> String {
        KinshipCore.basicAuthorization(user: writeKey)
    }
}

/// The part of ingestion's answer the benchmark checks.
private struct CollectAnswer: Decodable {
    let stored: Int
    let duplicates: Int
}

enum SendOutcome: Sendable {
    case answered(stored: Int, duplicates: Int)
    case failed(String)

    /// Every way a request can fail is a failed request, not an error, so one bad answer does not stop the load.
    init(_ answer: Result<LoadClient.Answer, any Error>, expecting events: Int) {
        do {
            let answer = try answer.get()
            guard answer.status == .ok else {
                self = .failed("\(answer.status.code) \(String(buffer: answer.body).prefix(200))")
                return
            }
            let counts = try JSONDecoder().decode(CollectAnswer.self, from: Data(answer.body.readableBytesView))
            guard counts.stored + counts.duplicates == events else {
                self = .failed("200 for \(events) events, but \(String(buffer: answer.body).prefix(200))")
                return
            }
            self = .answered(stored: counts.stored, duplicates: counts.duplicates)
        } catch {
            self = .failed(String(describing: error))
        }
    }
}

/// One sender's count of answers.
struct SendTally: Sendable {
    var stored = 0
    var duplicates = 0
    var failed = 0
    var failures: [String] = []

    mutating func add(_ outcome: SendOutcome) {
        switch outcome {
        case .answered(let stored, let duplicates):
            self.stored += stored
            self.duplicates += duplicates
        case .failed(let reason):
            failed += 1
            if failures.count < 5 { failures.append(reason) }
        }
    }

    mutating func merge(_ other: SendTally) {
        stored += other.stored
        duplicates += other.duplicates
        failed += other.failed
        failures += other.failures.prefix(max(0, 5 - failures.count))
    }
}
