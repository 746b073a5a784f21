import AsyncHTTPClient
import Foundation
import NIOCore
import Shared
import Synchronization

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
}

/// The next request to send, shared by the senders.
private final class Ticket: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

extension IngestionBenchmark {
    /// Sends `events` events, `batchSize` per request, with `concurrency` requests in flight: the time from
    /// the first request to the last answer, and what the answers said.
    func sendBatches(events: Int, phase: String, writeKey: String, _ service: ServiceProcess, _ client: HTTPClient) async throws -> BatchLoad {
        let c = configuration
        let timestamp = Timestamp.format(Date())
        // Made before the clock starts, so the load generator spends its CPU on sending only.
        let bodies: [ByteBuffer] = stride(from: 0, to: events, by: c.batchSize).map { first in
            var body = ByteBuffer()
            body.writeString(#"{"batch":["#)
            for n in first..<min(first + c.batchSize, events) {
                if n > first { body.writeString(",") }
                body.writeString(event(n, phase: phase, timestamp: timestamp))
            }
            body.writeString("]}")
            return body
        }
        let counts = (0..<bodies.count).map { min(c.batchSize, events - $0 * c.batchSize) }
        let url = service.url + "/v1/batch"
        let authorization = Self.basicAuthorization(writeKey)
        let ticket = Ticket()

        let start = ContinuousClock.now
        let tallies = try await withThrowingTaskGroup(of: SendTally.self) { group in
            for _ in 0..<min(c.concurrency, bodies.count) {
                group.addTask {
                    var tally = SendTally()
                    while true {
                        let index = ticket.take()
                        guard index < bodies.count else { break }
                        let request = Self.post(url, authorization: authorization, body: bodies[index])
                        tally.add(await Self.send(request, expecting: counts[index], client))
                    }
                    return tally
                }
            }
            return try await group.reduce(into: SendTally()) { $0.merge($1) }
        }
        let duration = ContinuousClock.now - start
        return BatchLoad(
            duration: duration, requests: bodies.count, stored: tallies.stored, duplicates: tallies.duplicates,
            failedRequests: tallies.failed, failures: tallies.failures
        )
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

    /// A JSON `POST` authenticated as Segment's libraries do: HTTP Basic, the write key as the user name.
    static func post(_ url: String, authorization: String, body: ByteBuffer) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        return request
    }

    static func basicAuthorization(_ writeKey: String) -> String {
        "Basic " + Data("\(writeKey):".utf8).base64EncodedString()
    }

    /// Sends one request; every way it can fail is a failed request, not an error, so one bad answer does
    /// not stop the load.
    static func send(_ request: HTTPClientRequest, expecting events: Int, _ client: HTTPClient) async -> SendOutcome {
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                return .failed("\(response.status.code) \(String(buffer: body).prefix(200))")
            }
            let answer = try JSONDecoder().decode(CollectAnswer.self, from: Data(body.readableBytesView))
            guard answer.stored + answer.duplicates == events else {
                return .failed("200 for \(events) events, but \(String(buffer: body).prefix(200))")
            }
            return .answered(stored: answer.stored, duplicates: answer.duplicates)
        } catch {
            return .failed(String(describing: error))
        }
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
