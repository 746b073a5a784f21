import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipTestSupport

extension ShopPlatform {
    var reportingURL: String { "http://127.0.0.1:\(environment["KINSHIP_REPORTING_PORT"]!)" }

    /// A new API key of the shop's workspace with `role`.
    func apiKey(_ role: APIRole) async throws -> String {
        let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
        return try await tenancy.createAPIKey(in: workspace, name: "e2e-\(role.rawValue)", role: role, actor: "test").secret
    }

    /// A GET of the public API with `key`; any status.
    func reporting(_ path: String, query: [String: String] = [:], key: String) async throws -> HTTPAnswer {
        var components = URLComponents()
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let suffix = query.isEmpty ? "" : "?" + (components.percentEncodedQuery ?? "")
        var request = HTTPClientRequest(url: reportingURL + path + suffix)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        return try await HTTPAnswer.send(request, timeout: .seconds(60))
    }
}
