import Foundation

extension ProfileActivity {
    /// The first moment after `now` at which time alone changes a computed trait: the open cart becoming
    /// abandoned, `days_since_last_order` growing by a day, a page view (or one still in the future)
    /// crossing the 30-day window. Nil when no trait depends on time.
    public func nextTraitChange(after now: Date) -> Date? {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        var moments: [Int64] = []
        if let last = openCart.map(\.at).max() {
            let abandonsAt = last + Int64(abandonmentWindow * 1000)
            if abandonsAt > nowMs { moments.append(abandonsAt) }
        }
        if let last = orders.values.compactMap({ $0.standing?.at }).max() {
            let day: Int64 = 86_400_000
            moments.append(last + (Self.floorDivide(nowMs - last, day) + 1) * day)
        }
        for view in pageViews {
            if view.at > nowMs {
                moments.append(view.at)
            } else if view.at + Self.viewHorizon > nowMs {
                moments.append(view.at + Self.viewHorizon)
            }
        }
        return moments.filter { $0 > nowMs }.min().map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}
