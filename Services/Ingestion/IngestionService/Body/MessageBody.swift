import KinshipCore
import KinshipOutbox
import KinshipPrivacy

/// The JSON of the tracking endpoints' bodies, read into ingestion's messages: one message, or Segment's
/// batch with the fields that apply to all of its messages.
enum MessageBody {
    /// The body of `POST /v1/batch`.
    struct Batch {
        var messages: [IncomingMessage]
        /// The body's other members (`context`, `integrations`, `sentAt`, `writeKey`).
        let fields: [String: JSONValue]
    }

    /// The body of a single-message endpoint (`/v1/track`).
    static func single(_ body: [UInt8], type: TrackingMessageType) throws -> IncomingMessage {
        try body.withUnsafeBytes { bytes in
            var reader = JSONReader(bytes)
            guard reader.peek() == UInt8(ascii: "{") else {
                try refuse(&reader, KinshipError.badRequest(.invalidMessage, "The body must be one JSON object, a \(type.rawValue) message."))
            }
            let message = try IncomingMessage.read(&reader, body: body)
            try reader.finish()
            return message
        }
    }

    static func batch(_ body: [UInt8]) throws -> Batch {
        try body.withUnsafeBytes { bytes in
            var reader = JSONReader(bytes)
            guard reader.peek() == UInt8(ascii: "{") else {
                try refuse(&reader, KinshipError.badRequest(.invalidBatch, #"The body must be a JSON object: {"batch": [...]}."#))
            }
            var messages: [IncomingMessage]?
            var fields: [String: JSONValue] = [:]
            try reader.readObject { key, reader in
                guard key == "batch", reader.peek() == UInt8(ascii: "[") else {
                    if key == "batch" { messages = nil }
                    fields[key] = try reader.readValue()
                    return
                }
                var read: [IncomingMessage] = []
                read.reserveCapacity(128)
                try reader.readArray { reader in read.append(try IncomingMessage.read(&reader, body: body)) }
                messages = read
                fields[key] = nil
            }
            try reader.finish()
            guard let messages else {
                guard fields["batch"] != nil else { throw KinshipError.badRequest(.missingField, "batch is required") }
                throw KinshipError.badRequest(.invalidField, "batch must be of type array")
            }
            return Batch(messages: messages, fields: fields)
        }
    }

    /// Invalid JSON is refused as such before `refusal` (the body's shape) is.
    private static func refuse(_ reader: inout JSONReader, _ refusal: KinshipError) throws -> Never {
        _ = try reader.readValue()
        try reader.finish()
        throw refusal
    }
}
