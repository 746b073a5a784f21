import Foundation

/// The one JSON coder setup of Kinship: dates as ISO-8601 strings (decoded leniently, written in UTC with
/// milliseconds), and decoding failures turned into `KinshipError`s that name the field.
public enum JSONCoding {
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw KinshipError.invalidField(path: decoder.codingPath, "is not an ISO-8601 timestamp: '\(text.prefix(40))'")
            }
            return date
        }
        return decoder
    }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Decodes `T`, rendering every failure as a 400 with a stable code.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, userInfo: [CodingUserInfoKey: any Sendable] = [:]) throws -> T {
        let decoder = decoder()
        decoder.userInfo = userInfo
        do {
            return try decoder.decode(type, from: data)
        } catch let error as KinshipError {
            throw error
        } catch let error as DecodingError {
            throw KinshipError(decoding: error)
        } catch {
            throw KinshipError.badRequest(.invalidJSON, "The body is not valid JSON.")
        }
    }
}

extension KinshipError {
    static func fieldName(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop(while: { $0 == "." }).description
    }

    public static func invalidField(path: [any CodingKey], _ problem: String) -> KinshipError {
        .badRequest(.invalidField, "\(fieldName(path)) \(problem)")
    }

    init(decoding error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self = .invalidField(path: context.codingPath, "must be of type \(Self.jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            self = .invalidField(path: context.codingPath, "must be of type \(Self.jsonTypeName(type)), not null")
        case .keyNotFound(let key, let context):
            self = .badRequest(.missingField, "\(Self.fieldName(context.codingPath + [key])) is required")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self = .badRequest(.invalidJSON, "The body is not valid JSON.")
        case .dataCorrupted(let context):
            self = .invalidField(path: context.codingPath, "is invalid: \(context.debugDescription)")
        @unknown default:
            self = .badRequest(.invalidJSON, "The body could not be decoded.")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Double.Type, is Int.Type, is Int64.Type: "number"
        case is [String: JSONValue].Type: "object"
        default: "\(type)".lowercased()
        }
    }
}
