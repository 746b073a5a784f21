/// One figure of a report for its period and for the period of equal length just before.
public struct PeriodComparison<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public let current: Value
    public let previous: Value

    public init(current: Value, previous: Value) {
        self.current = current
        self.previous = previous
    }
}
