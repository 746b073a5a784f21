import KinshipCore
import KinshipDatabase
import KinshipPrivacy

/// What ingestion adds to `context`: the client IP (per the workspace's policy), the parsed user
/// agent, and the UTM parameters of the page as `context.campaign`. Never overwrites what was sent,
/// except the IP, which the workspace's policy governs whoever set it.
struct MessageEnrichment: Sendable {
    let metadata: RequestMetadata
    /// The connection's address under the workspace's policy: one request, one address, parsed once.
    private let clientIP: JSONValue?
    /// The last user agent and page query this request's messages carried, with what they gave: a batch
    /// repeats both message after message, and looking them up again cost more than comparing them.
    private var lastUserAgent: (header: String, object: JSONValue)?
    private var lastCampaign: (query: Substring, object: JSONValue?)?

    init(metadata: RequestMetadata) {
        self.metadata = metadata
        clientIP = metadata.clientAddress.flatMap(metadata.source.ipPolicy.apply).map(JSONValue.string)
    }

    /// Enriches `context` in place (a copy would cost a copy of every entry, per message).
    mutating func enrich(_ context: inout [String: JSONValue]) {
        let policy = metadata.source.ipPolicy
        if let sentIP = context["ip"]?.stringValue {
            context["ip"] = policy.apply(to: sentIP).map(JSONValue.string)
        } else if metadata.clientAddress != nil {
            context["ip"] = clientIP
        }
        if context["userAgent"] == nil, let header = metadata.userAgent { context["userAgent"] = .string(header) }
        if context[UserAgent.contextKey] == nil, let header = context["userAgent"]?.stringValue {
            context[UserAgent.contextKey] = userAgentObject(header)
        }
        if context["campaign"] == nil, case .object(let page)? = context["page"] {
            let address = page["url"]?.stringValue ?? page["search"]?.stringValue
            if let address, Self.mayHoldUTM(address), let campaign = campaignObject(address) {
                context["campaign"] = campaign
            }
        }
    }

    private mutating func userAgentObject(_ header: String) -> JSONValue {
        if let last = lastUserAgent, last.header == header { return last.object }
        let object = JSONValue.object(UserAgentCache.shared.contextObject(for: header))
        lastUserAgent = (header, object)
        return object
    }

    /// The address's campaign: the same for every address with the same query.
    private mutating func campaignObject(_ address: String) -> JSONValue? {
        // The whole address when its bytes cannot be read in place: a longer key is still a right one.
        let mark = address.utf8.withContiguousStorageIfAvailable { $0.firstIndex(of: UInt8(ascii: "?")) } ?? nil
        let query = mark.map { address[address.utf8.index(address.utf8.startIndex, offsetBy: $0)...] } ?? address[...]
        if let last = lastCampaign, last.query == query { return last.object }
        let object = CampaignParameters(urlOrQuery: address).map { JSONValue.object($0.contextObject) }
        lastCampaign = (query, object)
        return object
    }

    /// A cheap byte scan for `utm_` (any case) before parsing the address.
    static func mayHoldUTM(_ address: String) -> Bool {
        if let found = address.utf8.withContiguousStorageIfAvailable(containsUTM) { return found }
        return Array(address.utf8).withUnsafeBufferPointer(containsUTM)
    }

    private static func containsUTM(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 4 else { return false }
        for i in 0...(bytes.count - 4) where bytes[i] | 0x20 == UInt8(ascii: "u") && bytes[i + 1] | 0x20 == UInt8(ascii: "t")
            && bytes[i + 2] | 0x20 == UInt8(ascii: "m") && bytes[i + 3] == UInt8(ascii: "_") {
            return true
        }
        return false
    }
}
