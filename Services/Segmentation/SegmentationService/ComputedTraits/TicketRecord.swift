/// One support ticket: when it was opened and resolved, and how it was filed.
struct TicketRecord: Sendable, Hashable {
    struct Opening: Sendable, Hashable {
        let messageId: String
        let at: Int64
        let category: String?
        let channel: String?
    }

    /// The earliest `Ticket Opened` for this ticket id.
    var opening: Opening?
    /// The latest `Ticket Resolved` for this ticket id.
    var resolvedAt: Int64?

    mutating func open(_ new: Opening) {
        if let opening, (opening.at, opening.messageId) <= (new.at, new.messageId) { return }
        opening = new
    }

    mutating func resolve(at time: Int64) {
        resolvedAt = max(resolvedAt ?? time, time)
    }

    mutating func merge(_ other: TicketRecord) {
        if let opening = other.opening { open(opening) }
        if let resolvedAt = other.resolvedAt { resolve(at: resolvedAt) }
    }
}
