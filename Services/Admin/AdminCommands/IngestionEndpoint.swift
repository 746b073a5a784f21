import ArgumentParser
import Foundation
import KinshipCore

/// Where a command sends data and with which write key: `--url` or KINSHIP_INGESTION_URL, and
/// KINSHIP_WRITE_KEY, `--write-key-file` or (for `kinship import`) `--write-key`.
struct IngestionEndpoint: Sendable {
    /// The base URL, without a trailing `/`.
    let base: String
    let writeKey: String

    init(base: String, writeKey: String) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.writeKey = writeKey
    }

    init(url: String?, writeKey: String? = nil, writeKeyFile: String?, environment: KinshipCore.Environment = .init()) throws {
        guard let key = try writeKey ?? writeKeyFile.map(Self.readWriteKey) ?? environment.optional("KINSHIP_WRITE_KEY") else {
            throw ValidationError("give the source's write key in KINSHIP_WRITE_KEY or --write-key-file")
        }
        self.init(base: url ?? environment.optional("KINSHIP_INGESTION_URL") ?? "http://127.0.0.1:8080", writeKey: key)
    }

    /// The value of the `Authorization` header: the write key as user name, an empty password.
    var authorization: String { basicAuthorization(user: writeKey) }

    /// The write key in `path` (`-`: standard input), without the line break editors and `echo` add.
    static func readWriteKey(from path: String) throws -> String {
        let handle = path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: path)
        guard let data = try handle?.readToEnd(), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read a write key from \(path)")
        }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw ValidationError("\(path) holds no write key") }
        return key
    }
}
