import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDemoShop
import NIOCore

/// Sends a demo shop through ingestion's public API as a shop's own clients would: its messages in
/// `POST /v1/batch` bodies with the write key in HTTP Basic (Segment's libraries), e-mail opens as
/// `GET /v1/pixel/track` (a mail client loading the image), and the store's purchases as one CSV file to
/// `POST /v1/import` at the end (a nightly export).
///
/// `concurrency` senders each take whole households and send their messages in order, one request at a
/// time, so a person's messages arrive in the order the shop made them. Refusals that another attempt may
/// cure are retried as `RetryPolicy` says; any other refusal stops the run.
struct DemoSender: Sendable {
    let endpoint: IngestionEndpoint
    var concurrency = 4
    /// Events a second; nil sends at full speed.
    var rate: Double?
    var retryPolicy = RetryPolicy()

    /// Messages a batch holds at most: Segment's 500, or a tenth of a second's worth at `rate`, so a paced
    /// run sends evenly instead of in bursts.
    var messagesPerBatch: Int {
        rate.map { max(1, min(500, Int($0 / 10))) } ?? 500
    }

    func send(_ shop: DemoShop) async throws -> DemoSendSummary {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, 8))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let summary = try await send(shop, client: client)
            try await client.shutdown()
            return summary
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func send(_ shop: DemoShop, client: HTTPClient) async throws -> DemoSendSummary {
        let started = ContinuousClock.now
        let delivery = Delivery(endpoint: endpoint, client: client, pacer: DemoPacer(rate: rate), retryPolicy: retryPolicy)
        var checked = DemoSendSummary.Counts()
        try await delivery.checkWriteKey(&checked)

        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-demo-pos-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let feed = try HouseholdFeed(shop, pointOfSalePath: spool)
        let progress = DemoProgress(totalHouseholds: shop.householdCount)
        var summary = DemoSendSummary()
        do {
            summary.counts = try await withThrowingTaskGroup(of: DemoSendSummary.Counts.self) { group in
                for _ in 0..<concurrency {
                    group.addTask { [messagesPerBatch] in
                        var lane = Lane(delivery: delivery, feed: feed, progress: progress, builder: BatchBuilder(maximumMessages: messagesPerBatch))
                        try await lane.run()
                        return lane.counts
                    }
                }
                return try await group.reduce(checked, +)
            }
        } catch {
            progress.finish()
            _ = try? feed.finish()
            throw error
        }
        progress.finish()

        if try feed.finish() > 0 {
            let mapping = DemoShop.posImportMapping.map { URLQueryItem(name: $0.key, value: $0.value) }
            let upload = ImportUpload(endpoint: endpoint, path: spool, format: .csv, mapping: mapping)
            let answer = try await delivery.withRetries("the point-of-sale import", counts: &summary.counts) {
                try await upload.run(on: client)
            }
            summary.pointOfSale = try ImportReport(answer).summary()
        }
        summary.duration = .now - started
        return summary
    }

    /// One sender: takes a household, sends its messages in order, takes the next.
    private struct Lane {
        let delivery: Delivery
        let feed: HouseholdFeed
        let progress: DemoProgress
        var builder: BatchBuilder
        var counts = DemoSendSummary.Counts()

        mutating func run() async throws {
            while let household = try feed.next() {
                for message in household.messages {
                    switch message.delivery {
                    case .batch:
                        if let batch = builder.add(message.json) { try await send(batch) }
                    case .pixel:
                        let retries = counts.retries
                        try await delivery.pixel(message.json, counts: &counts)
                        progress.sent(events: 1, retries: counts.retries - retries)
                    }
                }
                progress.householdDone()
            }
            if let batch = builder.flush() { try await send(batch) }
        }

        private mutating func send(_ batch: BatchBuilder.Batch) async throws {
            let retries = counts.retries
            try await delivery.batch(batch, counts: &counts)
            progress.sent(events: batch.count, retries: counts.retries - retries)
        }
    }

    /// The requests themselves, each with its retries.
    struct Delivery: Sendable {
        let endpoint: IngestionEndpoint
        let client: HTTPClient
        let pacer: DemoPacer
        let retryPolicy: RetryPolicy

        /// Before anything is sent: an empty import, which only a server source's valid write key may make.
        func checkWriteKey(_ counts: inout DemoSendSummary.Counts) async throws {
            var request = HTTPClientRequest(url: endpoint.base + "/v1/import?format=ndjson")
            request.method = .POST
            request.headers.add(name: "Authorization", value: endpoint.authorization)
            request.body = .bytes(ByteBuffer())
            do {
                _ = try await withRetries("the write key's check", counts: &counts) {
                    try await HTTPAnswer.execute(request, on: client, timeout: .seconds(60))
                }
            } catch DemoSendError.refused(_, let answer) where answer.status == 401 || answer.status == 403 {
                throw DemoSendError.writeKey(answer)
            }
        }

        func batch(_ batch: BatchBuilder.Batch, counts: inout DemoSendSummary.Counts) async throws {
            let answer = try await withRetries("a batch", events: batch.count, counts: &counts) {
                var request = HTTPClientRequest(url: endpoint.base + "/v1/batch")
                request.method = .POST
                request.headers.add(name: "Authorization", value: endpoint.authorization)
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: batch.body(sentAt: Timestamp.format(Date()))))
                return try await HTTPAnswer.execute(request, on: client, timeout: .seconds(60))
            }
            guard let summary = try? JSONCoding.decoder().decode(CollectSummary.self, from: answer.body) else {
                throw DemoSendError.unexpectedAnswer("a batch", answer)
            }
            counts.add(summary, of: batch.count)
        }

        func pixel(_ json: [UInt8], counts: inout DemoSendSummary.Counts) async throws {
            let url = endpoint.base + "/v1/pixel/track?data=" + Self.pixelData(json, writeKey: endpoint.writeKey)
            _ = try await withRetries("an e-mail open", events: 1, counts: &counts) {
                try await HTTPAnswer.execute(HTTPClientRequest(url: url), on: client, timeout: .seconds(60))
            }
            counts.pixelEvents += 1
        }

        /// The pixel's `data`: the message with `writeKey` as its first member, in base64url.
        static func pixelData(_ json: [UInt8], writeKey: String) -> String {
            guard let open = json.firstIndex(of: UInt8(ascii: "{")) else { return json.base64URLString }
            let rest = json[(open + 1)...]
            let empty = rest.first { ![UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains($0) } == UInt8(ascii: "}")
            var message = Array(#"{"writeKey":"#.utf8) + Array(JSONValue.string(writeKey).serialized().utf8)
            if !empty { message.append(UInt8(ascii: ",")) }
            message.append(contentsOf: rest)
            return message.base64URLString
        }

        /// Runs `attempt` until it is answered `2xx`, as `retryPolicy` says; `events` are paced at the rate.
        func withRetries(
            _ what: String, events: Int = 0, counts: inout DemoSendSummary.Counts, _ attempt: () async throws -> HTTPAnswer
        ) async throws -> HTTPAnswer {
            var number = 1
            while true {
                try await pacer.admit(events: number == 1 ? events : 0)
                let answer: HTTPAnswer?
                var problem: (any Error)?
                do {
                    answer = try await attempt()
                } catch {
                    if Task.isCancelled || error is CancellationError { throw CancellationError() }
                    answer = nil
                    problem = error
                }
                let outcome = answer.map { RetryPolicy.Outcome.answered(status: $0.status, retryAfter: $0.retryAfter) } ?? .unreachable
                switch retryPolicy.decide(outcome, attempt: number, jitter: Double.random(in: 0...1)) {
                case .done:
                    return answer!
                case .retry(let wait):
                    if let pause = retryPolicy.retryAfter(outcome) { pacer.pause(for: pause) }
                    counts.retries += 1
                    try await Task.sleep(for: wait)
                    number += 1
                case .fail:
                    if let answer { throw DemoSendError.refused(what, answer) }
                    throw DemoSendError.unreachable(endpoint.base, attempts: number, problem.map { "\($0)" } ?? "")
                }
            }
        }
    }
}

enum DemoSendError: Error, CustomStringConvertible {
    case refused(String, HTTPAnswer)
    case writeKey(HTTPAnswer)
    case unexpectedAnswer(String, HTTPAnswer)
    case unreachable(String, attempts: Int, String)

    var description: String {
        switch self {
        case .refused(let what, let answer):
            "ingestion refused \(what) \(answer.refusal)"
        case .writeKey(let answer):
            "demo send needs the write key of a server source (it imports the store's purchases); ingestion refused this one \(answer.refusal)"
        case .unexpectedAnswer(let what, let answer):
            "ingestion answered \(what) with what is not a collection answer: \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
        case .unreachable(let base, let attempts, let problem):
            "could not reach ingestion at \(base) (\(attempts) attempts): \(problem)"
        }
    }
}
