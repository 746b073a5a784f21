import Shared

/// What the door adds to `context`: the client IP (per the workspace's policy), the parsed user
/// agent, and the UTM parameters of the page as `context.campaign`. Never overwrites what was sent,
/// except the IP, which the workspace's policy governs whoever set it.
struct MessageEnrichment: Sendable {
    let facts: RequestFacts
    /// The connection's address under the workspace's policy: one request, one address, parsed once.
    private let clientIP: JSONValue?

    init(facts: RequestFacts) {
        self.facts = facts
        clientIP = facts.clientAddress.flatMap(facts.source.ipPolicy.apply).map(JSONValue.string)
    }

    /// Enriches `context` in place (a copy would cost a copy of every entry, per message).
    func enrich(_ context: inout [String: JSONValue]) {
        let policy = facts.source.ipPolicy
        if let sentIP = context["ip"]?.stringValue {
            context["ip"] = policy.apply(to: sentIP).map(JSONValue.string)
        } else if facts.clientAddress != nil {
            context["ip"] = clientIP
        }
        if context["userAgent"] == nil, let header = facts.userAgent { context["userAgent"] = .string(header) }
        if context[UserAgent.contextKey] == nil, let header = context["userAgent"]?.stringValue {
            context[UserAgent.contextKey] = .object(UserAgentCache.shared.contextObject(for: header))
        }
        if context["campaign"] == nil, case .object(let page)? = context["page"] {
            let address = page["url"]?.stringValue ?? page["search"]?.stringValue
            if let address, Self.mayHoldUTM(address), let campaign = CampaignParameters(urlOrQuery: address) {
                context["campaign"] = .object(campaign.contextObject)
            }
        }
    }

    /// A cheap byte scan for `utm_` (any case) before parsing the address.
    static func mayHoldUTM(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard bytes.count >= 4 else { return false }
        for i in 0...(bytes.count - 4) where bytes[i] | 0x20 == UInt8(ascii: "u") && bytes[i + 1] | 0x20 == UInt8(ascii: "t")
            && bytes[i + 2] | 0x20 == UInt8(ascii: "m") && bytes[i + 3] == UInt8(ascii: "_") {
            return true
        }
        return false
    }
}
