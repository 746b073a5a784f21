/// Two profiles become one.
extension ProfileActivity {
    /// Combines `other` into this state, exactly as if this state had been given `other`'s events too.
    /// The two must hold different events (an event belongs to one profile): a message id applied to both
    /// would be counted twice.
    public mutating func merge(_ other: ProfileActivity) {
        seenMessageIds.formUnion(other.seenMessageIds)
        orders.merge(other.orders) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        openCart += other.openCart
        if let closed = latestOrderAt { closeCart(at: closed) }
        for view in other.pageViews { addPageView(view) }
        campaignTouches += other.campaignTouches

        emailsDelivered += other.emailsDelivered
        emailsOpened += other.emailsOpened
        emailsClicked += other.emailsClicked
        emailsBounced += other.emailsBounced
        unsubscribed = unsubscribed || other.unsubscribed
        if let seenAt = other.lastSeenAt { seen(seenAt) }
        deviceTypes.merge(other.deviceTypes)
        browsers.merge(other.browsers)
        systems.merge(other.systems)

        if let survey = other.latestSurvey, latestSurvey.map({ ($0.at, $0.messageId) < (survey.at, survey.messageId) }) ?? true {
            latestSurvey = survey
        }
        surveyCount += other.surveyCount
        reviewCount += other.reviewCount
        reviewRatingSum += other.reviewRatingSum
        tickets.merge(other.tickets) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
    }
}
