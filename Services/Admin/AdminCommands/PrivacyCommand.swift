import ArgumentParser
import AsyncHTTPClient
import Foundation
import KinshipCore
import NIOCore
import NIOHTTP1

/// `kinship privacy`: data subject requests, through the reporting service's public API with an admin key
/// (the same requests, audit and receipts as `/v1/privacy/requests`; docs/privacy.md).
struct PrivacyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy",
        abstract: "Export, erase or suppress a person, follow the requests, and set the workspace's privacy policy.",
        discussion: "Reads KINSHIP_API_KEY (an admin key of the workspace) and KINSHIP_REPORTING_URL when the options are not given.",
        subcommands: [Export.self, Erase.self, Suppress.self, List.self, Show.self, PrivacyPolicyCommand.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything held about the person, as one JSON document; its summary on standard error.")
        @OptionGroup var api: PublicAPIAccess
        @OptionGroup var subject: SubjectOption

        func run() async throws {
            let answer = try await api.create("export", subject)
            let document = try JSONCoding.decode(PersonExportDocument.self, from: answer.body)
            for line in document.summary { AdminContext.note(line) }
            print(String(decoding: answer.body, as: UTF8.self))
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Erase the person everywhere; waits for every service and prints the receipt.")
        @OptionGroup var api: PublicAPIAccess
        @OptionGroup var subject: SubjectOption

        @Option(help: "Seconds to wait for every service's step (0: do not wait).")
        var wait = 120

        func run() async throws {
            var request = try JSONCoding.decode(PublicPrivacyRequest.self, from: try await api.create("erase", subject).body)
            AdminContext.note("erasure \(request.id) of \(request.profileIds.count) profile(s): \(request.status)")
            let deadline = ContinuousClock.now + .seconds(wait)
            while request.status != "done", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                request = try JSONCoding.decode(PublicPrivacyRequest.self, from: try await api.get("/v1/privacy/requests/\(request.id)").body)
            }
            print(PrivacyRequestText(request).rendered)
            if request.status != "done" { throw ExitCode(2) }
        }
    }

    struct Suppress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse the person's data from now on, at ingestion and in identity.")
        @OptionGroup var api: PublicAPIAccess
        @OptionGroup var subject: SubjectOption

        func run() async throws {
            let request = try JSONCoding.decode(PublicPrivacyRequest.self, from: try await api.create("suppress", subject).body)
            print(PrivacyRequestText(request).rendered)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The workspace's privacy requests, newest first.")
        @OptionGroup var api: PublicAPIAccess

        @Option(help: "At most this many (1 to 200).")
        var limit = 50

        func run() async throws {
            let page = try JSONCoding.decode(Page<PublicPrivacyRequest>.self, from: try await api.get("/v1/privacy/requests?limit=\(limit)").body)
            print(TextTable(header: ["ID", "KIND", "STATUS", "REQUESTED", "BY", "PROFILES"], rows: page.items.map {
                [$0.id, $0.kind, $0.status, Timestamp.format($0.requestedAt), $0.requestedBy, String($0.profileIds.count)]
            }).rendered)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request: each service's step and what it removed.")
        @OptionGroup var api: PublicAPIAccess

        @Argument(help: "The request's id.")
        var id: String

        func run() async throws {
            guard UUID(uuidString: id) != nil else { throw ValidationError("the id is a UUID") }
            print(PrivacyRequestText(try JSONCoding.decode(PublicPrivacyRequest.self, from: try await api.get("/v1/privacy/requests/\(id)").body)).rendered)
        }
    }
}

/// Whom a request is about: one identifier.
struct SubjectOption: ParsableArguments {
    @Option var email: String?
    @Option var phone: String?
    @Option var userId: String?
    @Option var anonymousId: String?
    @Option(help: "Any identifier type, as TYPE=VALUE (external ids: shopify_customer=123).")
    var identifier: String?

    func validate() throws {
        guard [email, phone, userId, anonymousId, identifier].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --email, --phone, --user-id, --anonymous-id, --identifier")
        }
        if let identifier, !identifier.contains("=") { throw ValidationError("--identifier is TYPE=VALUE") }
    }

    var typeAndValue: (type: String, value: String) {
        if let email { return ("email", email) }
        if let phone { return ("phone", phone) }
        if let userId { return ("user_id", userId) }
        if let anonymousId { return ("anonymous_id", anonymousId) }
        let parts = (identifier ?? "=").split(separator: "=", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }
}

/// The reporting service's public API, as an API key reaches it (privacy requests need an admin key).
struct PublicAPIAccess: ParsableArguments {
    @Option(help: "The reporting service's base URL (default: KINSHIP_REPORTING_URL, else http://127.0.0.1:8083).")
    var reportingURL: String?

    @Option(help: "An API key of the workspace, an admin key for privacy requests (default: KINSHIP_API_KEY).")
    var apiKey: String?

    func create(_ kind: String, _ subject: SubjectOption) async throws -> HTTPAnswer {
        let (type, value) = subject.typeAndValue
        let body = try JSONCoding.encoder().encode(PrivacyRequestDraft(kind: kind, identifier: .init(type: type, value: value)))
        return try await send(.POST, "/v1/privacy/requests", body: body)
    }

    func get(_ path: String) async throws -> HTTPAnswer {
        try await send(.GET, path, body: nil)
    }

    func send(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> HTTPAnswer {
        let environment = KinshipCore.Environment()
        guard let key = apiKey ?? environment.optional("KINSHIP_API_KEY") else {
            throw ValidationError("give --api-key or set KINSHIP_API_KEY to an API key of the workspace")
        }
        let base = reportingURL ?? environment.optional("KINSHIP_REPORTING_URL") ?? "http://127.0.0.1:8083"
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let answer: HTTPAnswer
        do {
            answer = try await HTTPAnswer.execute(request, on: .shared, timeout: .seconds(120), maximumBody: 256 * 1024 * 1024)
        } catch {
            throw ValidationError("could not reach reporting at \(base): \(error)")
        }
        guard (200..<300).contains(answer.status) else { throw InternalCallError(description: "reporting refused \(answer.refusal)") }
        return answer
    }
}

/// A privacy request as text: its state and each step's removals.
struct PrivacyRequestText {
    let request: PublicPrivacyRequest

    init(_ request: PublicPrivacyRequest) { self.request = request }

    var rendered: String {
        var lines = [
            "request   \(request.id) (\(request.kind)), \(request.status)",
            "asked     \(Timestamp.format(request.requestedAt)) by \(request.requestedBy)",
            "covers    \(request.profileIds.count) profile(s), \(request.identifiers) identifier(s)",
        ]
        if let completed = request.completedAt { lines.append("completed \(Timestamp.format(completed))") }
        for step in request.steps {
            let removed = step.removed.sorted { $0.key < $1.key }.filter { $0.value > 0 }.map { "\($0.key) \($0.value)" }
            lines.append("  \(step.service): \(step.status)" + (removed.isEmpty ? "" : " — removed " + removed.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }
}
