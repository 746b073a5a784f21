/// A page or screen view of the last 30 days, for sessions: its time, device and campaign.
struct PageView: Sendable, Hashable {
    let at: Int64
    /// The anonymous id, or "" for a view without one.
    let device: String
    /// `source/medium` of `context.campaign`, when the view carries one.
    let campaign: String?
}

/// A view that came with a campaign: when, and its `source/medium`.
struct CampaignTouch: Sendable, Hashable {
    let at: Int64
    let campaign: String
}
