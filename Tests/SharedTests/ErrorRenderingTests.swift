import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipInternalClient
import KinshipService

struct ErrorRenderingTests {
    struct Unexpected: Error {}

    func app() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        router.get("refused") { _, _ -> String in
            throw KinshipError.badRequest(.missingIdentifier, "A message needs userId or anonymousId.")
        }
        router.get("limited") { _, _ -> String in
            throw KinshipError(code: .rateLimited, status: .tooManyRequests, message: "Slow down.", headers: [.retryAfter: "3"])
        }
        router.get("crash") { _, _ -> String in throw Unexpected() }
        router.get("hummingbird") { _, _ -> String in throw HTTPError(.badRequest, message: "bad thing") }
        return Application(router: router)
    }

    func body(_ response: TestResponse) -> ErrorBody? {
        try? JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
    }

    @Test func kinshipErrorsRenderWithCodeStatusAndHeaders() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/refused", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(body(response) == .init(error: .init(code: "missing_identifier", message: "A message needs userId or anonymousId.")))
            }
            try await client.execute(uri: "/limited", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "3")
                #expect(body(response)?.error.code == "rate_limited")
            }
        }
    }

    @Test func otherErrorsAreMappedToTheSameShape() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/crash", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(body(response)?.error.code == "internal_error")
            }
            try await client.execute(uri: "/hummingbird", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(body(response) == .init(error: .init(code: "bad_request", message: "bad thing")))
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(body(response)?.error.code == "not_found")
            }
        }
    }
}
