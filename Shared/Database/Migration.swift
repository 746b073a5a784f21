import Crypto
import Foundation
import KinshipCore
import KinshipPrivacy

/// One numbered SQL file of `Shared/Database/Migrations`, such as `0001_init.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    /// SHA-256 of the file, recorded when applied, so an edited released migration is noticed.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).hexString
    }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations built into this binary, in order.
    public static let bundled: [Migration] = {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil),
              let files = try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        else { fatalError("the Migrations resource folder is missing from the KinshipDatabase bundle") }
        return files.filter { $0.pathExtension == "sql" }.compactMap { file in
            let base = file.deletingPathExtension().lastPathComponent
            guard let underscore = base.firstIndex(of: "_"), let version = Int(base[..<underscore]),
                  let sql = try? String(contentsOf: file, encoding: .utf8)
            else { return nil }
            return Migration(version: version, name: String(base[base.index(after: underscore)...]), sql: sql)
        }.sorted { $0.version < $1.version }
    }()
}
