import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// Fixed secrets for tests, generated per test run.
public enum TestKeys {
    public static let masterKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
    public static let keyring = try! MasterKeyring(current: masterKey)
    public static let internalToken = "test-internal-token-0123456789"

    /// The variables a service reads, for the test database; ports 0 let the OS choose.
    public static func environment(port: Int = 0, url: DatabaseURL = TestDatabase.url) -> [String: String] {
        var text = "postgres://\(url.username)"
        if let password = url.password { text += ":\(password)" }
        text += "@\(url.host):\(url.port)/\(url.database)?sslmode=disable"
        var values = [
            "KINSHIP_DATABASE_URL": text,
            "KINSHIP_MASTER_KEY": masterKey.base64String,
            "KINSHIP_INTERNAL_TOKEN": internalToken,
            "KINSHIP_LOG_LEVEL": "warning",
        ]
        for service in ServiceName.allCases { values[service.portVariable] = String(port) }
        return values
    }

    public static func configuration(_ service: ServiceName) -> ServiceConfiguration {
        try! ServiceConfiguration.load(service, from: Environment(environment()))
    }

    /// A workspace name no other test uses.
    public static func uniqueName(_ prefix: String = "ws") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
