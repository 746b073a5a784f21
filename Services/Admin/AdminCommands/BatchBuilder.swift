/// Gathers messages into `POST /v1/batch` bodies, as Segment's libraries do: at most `maximumMessages`
/// messages and `maximumBytes` bytes a body (ingestion refuses bodies over 500 KB), in the order added.
struct BatchBuilder {
    /// Messages ready to send together.
    struct Batch: Sendable {
        /// The messages' JSON objects, joined by commas.
        let messages: [UInt8]
        let count: Int

        /// `{"batch":[…],"sentAt":"…"}`: `sentAt` is set at each attempt, so ingestion's clock correction
        /// (`timestamp = receivedAt − (sentAt − timestamp)`) moves the timestamps by the transit time only.
        func body(sentAt: String) -> [UInt8] {
            var body: [UInt8] = []
            body.reserveCapacity(messages.count + BatchBuilder.envelopeBytes)
            body.append(contentsOf: #"{"batch":["#.utf8)
            body.append(contentsOf: messages)
            body.append(contentsOf: #"],"sentAt":""#.utf8)
            body.append(contentsOf: sentAt.utf8)
            body.append(contentsOf: #""}"#.utf8)
            return body
        }
    }

    /// What a body holds besides its messages, with room for any `sentAt`.
    static let envelopeBytes = 64

    let maximumMessages: Int
    let maximumBytes: Int
    private var messages: [UInt8] = []
    private var count = 0

    init(maximumMessages: Int = 500, maximumBytes: Int = 450 * 1024) {
        precondition(maximumMessages >= 1 && maximumBytes > Self.envelopeBytes)
        self.maximumMessages = maximumMessages
        self.maximumBytes = maximumBytes
    }

    /// Adds a message; returns the batch to send first when this one does not fit beside it.
    mutating func add(_ json: [UInt8]) -> Batch? {
        let full = count == maximumMessages || Self.envelopeBytes + messages.count + 1 + json.count > maximumBytes
        let ready = count > 0 && full ? flush() : nil
        if count > 0 { messages.append(UInt8(ascii: ",")) }
        messages.append(contentsOf: json)
        count += 1
        return ready
    }

    /// The messages not sent yet, if any.
    mutating func flush() -> Batch? {
        guard count > 0 else { return nil }
        defer {
            messages.removeAll(keepingCapacity: true)
            count = 0
        }
        return Batch(messages: messages, count: count)
    }
}
