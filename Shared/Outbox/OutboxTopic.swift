import KinshipCore
import KinshipDatabase

/// A topic of the bus, split into a fixed number of partitions by a hash of each message's key.
///
/// The partition count is part of the contract between producers and consumers: changing it
/// reorders keys, so a topic keeps its count for life.
public struct OutboxTopic: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let partitions: Int

    public init(_ name: String, partitions: Int) {
        precondition(partitions > 0 && partitions <= 1024, "a topic has 1...1024 partitions")
        self.name = name
        self.partitions = partitions
    }

    /// FNV-1a over the key's UTF-8 bytes: stable across processes and releases, unlike `hashValue`.
    public func partition(for key: String) -> Int {
        Int(FNV1a.hash(key) % UInt64(partitions))
    }

    public var description: String { name }
}
