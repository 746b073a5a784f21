import AsyncHTTPClient
import Foundation

extension ChildProcess {
    /// Polls `url` (a service's `/readyz`) until it answers `status`. Fails as soon as the process exits,
    /// and when `timeout` passes, with the output's last lines: a service that cannot start says why there.
    public func waitUntilReady(
        _ url: String, status: UInt = 200, timeout: Duration = .seconds(30), client: HTTPClient = .shared
    ) async throws {
        let answered = try await poll(timeout: timeout, every: .milliseconds(100)) {
            if let exit = exitStatus { throw failure("exited with status \(exit) before \(url) answered \(status)") }
            // Refused connections are expected until the service listens.
            guard let response = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2)) else { return false }
            _ = try? await response.body.collect(upTo: 1 << 16)
            return response.status.code == status
        }
        guard answered else { throw failure("did not answer \(status) at \(url) within \(timeout)") }
    }
}
