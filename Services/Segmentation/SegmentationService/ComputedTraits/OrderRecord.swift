/// What the traits know of one order: its completion, and whether it was cancelled or refunded. The events
/// may arrive in any order, so a cancellation or refund can come before the completion it refers to.
struct OrderRecord: Sendable, Hashable {
    struct Completion: Sendable, Hashable {
        let messageId: String
        let at: Int64
        let totalSatang: Int
        let channel: String?
        /// Units bought per product category.
        let categoryUnits: [String: Int]
    }

    /// The earliest `Order Completed` for this order id (ties: the smaller message id).
    var completion: Completion?
    var cancelled = false
    var refundedSatang = 0

    /// Completed and not cancelled.
    var standing: Completion? { cancelled ? nil : completion }

    /// Its total net of refunds, never below zero.
    var netSatang: Int { standing.map { max(0, $0.totalSatang - refundedSatang) } ?? 0 }

    mutating func complete(_ new: Completion) {
        if let completion, (completion.at, completion.messageId) <= (new.at, new.messageId) { return }
        completion = new
    }

    mutating func merge(_ other: OrderRecord) {
        if let completion = other.completion { complete(completion) }
        cancelled = cancelled || other.cancelled
        refundedSatang = Satang.add(refundedSatang, other.refundedSatang)
    }
}
