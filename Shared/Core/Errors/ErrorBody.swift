/// The JSON body every service answers an error with, `{"error": {"code": "...", "message": "..."}}`:
/// written by the services, read by their clients (the CLI, the internal client, tests).
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// An `ErrorCode`'s raw value; kept as text so a client can read a code newer than itself.
        public let code: String
        public let message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public let error: Detail

    public init(error: Detail) {
        self.error = error
    }

    public init(_ error: KinshipError) {
        self.error = Detail(code: error.code.rawValue, message: error.message)
    }
}
