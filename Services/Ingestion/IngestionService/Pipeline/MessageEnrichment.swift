import Shared

/// What the door adds to `context`: the client IP (per the workspace's policy), the parsed user
/// agent, and the UTM parameters of the page as `context.campaign`. Never overwrites what was sent,
/// except the IP, which the workspace's policy governs whoever set it.
struct MessageEnrichment {
    let facts: RequestFacts

    func enrich(_ sent: [String: JSONValue]) -> [String: JSONValue] {
        var context = sent
        let policy = facts.source.ipPolicy
        if let sentIP = context["ip"]?.stringValue {
            context["ip"] = policy.apply(to: sentIP).map(JSONValue.string)
        } else if let address = facts.clientAddress {
            context["ip"] = policy.apply(to: address).map(JSONValue.string)
        }
        if context["userAgent"] == nil, let header = facts.userAgent { context["userAgent"] = .string(header) }
        if context[UserAgent.contextKey] == nil, let header = context["userAgent"]?.stringValue {
            context[UserAgent.contextKey] = .object(UserAgent(parsing: header).contextObject)
        }
        if context["campaign"] == nil, case .object(let page)? = context["page"] {
            let address = page["url"]?.stringValue ?? page["search"]?.stringValue
            if let address, let campaign = CampaignParameters(urlOrQuery: address) {
                context["campaign"] = .object(campaign.contextObject)
            }
        }
        return context
    }
}
