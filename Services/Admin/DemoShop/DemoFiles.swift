/// `kinship demo write`: the shop as files other tools (and `kinship import`) read.
public enum DemoFiles {
    public struct Summary: Sendable {
        /// Messages in events.ndjson (each retry included, as sent), rows in pos.csv, and bytes written.
        public var messages = 0
        public var posRows = 0
        public var bytes = 0
    }

    /// Writes `events.ndjson` (every message in sending order, one per line; e-mail opens included, which
    /// `send` delivers through the pixel) and `pos.csv` (the point-of-sale export) into `directory`.
    public static func write(_ shop: DemoShop, directory: String) throws -> Summary {
        let events = try BufferedFileSink(path: directory + "/events.ndjson")
        let pos = try BufferedFileSink(path: directory + "/pos.csv")
        var summary = Summary()
        try pos.write(DemoShop.posHeader + "\n")
        let newline: [UInt8] = [UInt8(ascii: "\n")]
        for household in shop {
            for message in household.messages {
                try events.write(message.json)
                try events.write(newline)
            }
            for row in household.posRows { try pos.write(row + "\n") }
            summary.messages += household.messages.count
            summary.posRows += household.posRows.count
        }
        try events.close()
        try pos.close()
        summary.bytes = events.bytesWritten + pos.bytesWritten
        return summary
    }
}
