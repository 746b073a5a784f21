import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Testing

/// The checks every service's tests run against its real application: health, readiness, metrics, error shape.
public enum OperationalRouteChecks {
    public static func verify(_ app: some ApplicationProtocol, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok, sourceLocation: sourceLocation)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#, sourceLocation: sourceLocation)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok, "readyz: \(String(buffer: response.body))", sourceLocation: sourceLocation)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok, sourceLocation: sourceLocation)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true, sourceLocation: sourceLocation)
            }
            try await client.execute(uri: "/no-such-route", method: .get) { response in
                #expect(response.status == .notFound, sourceLocation: sourceLocation)
                #expect(String(buffer: response.body).contains(#""code":"not_found""#), sourceLocation: sourceLocation)
            }
        }
    }
}
