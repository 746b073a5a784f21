/// The newsletters as the e-mail service reports them, and the sessions their clicks start.
extension HouseholdSimulation {
    /// Each campaign after the person signed up, while they allow marketing and their address works:
    /// delivered (or bounced), perhaps opened (the pixel), clicked (a session from the e-mail) or unsubscribed.
    mutating func sendNewsletters(to number: Int) -> [PlannedSession] {
        guard let userId = people[number].userId, people[number].marketing else { return [] }
        var sessions: [PlannedSession] = []
        let signedUpAt = people[number].traits.signedUpAt
        for campaign in calendar.campaigns where campaign.sentAt > signedUpAt {
            guard people[number].marketing, !people[number].emailsBounced else { break }
            let deliveredAt = campaign.sentAt + Int64(random.int(0...1800)) * 1000
            let email = people[number].email(at: deliveredAt)
            let describe: (inout JSONBuilder) -> Void = { json in
                json.field("campaign_id", campaign.id)
                json.field("campaign_name", campaign.name)
                json.field("email_subject", campaign.subject)
            }
            if random.chance(parameters.emailBounceRate) {
                if serverTrack("Email Bounced", at: deliveredAt, person: number, userId: userId, email: email, { json in
                    describe(&json)
                    json.field("bounce_type", "hard")
                }) {
                    knowEmail(email, of: number)
                    people[number].emailsBounced = true
                    people[number].truth.emailsBounced += 1
                }
                break
            }
            guard serverTrack("Email Delivered", at: deliveredAt, person: number, userId: userId, email: email, describe) else { break }
            knowEmail(email, of: number)
            people[number].truth.emailsDelivered += 1
            // Whether and when the person unsubscribes is decided first: nothing of this newsletter is seen
            // after that, nor after the next newsletter goes out (the shop stops sending on the unsubscribe, and
            // ingestion would refuse what came after it).
            let unsubscribeAt = random.chance(parameters.unsubscribeRate) ? deliveredAt + Int64(random.int(600...72 * 3600)) * 1000 : nil
            let nextSentAt = calendar.campaigns.first { $0.sentAt > campaign.sentAt }?.sentAt ?? .max
            let seenBefore = min(unsubscribeAt ?? .max, nextSentAt)
            if random.chance(parameters.emailOpenRate * people[number].emailAffinity) {
                let openedAt = deliveredAt + Int64(random.int(300...48 * 3600)) * 1000
                if openedAt < seenBefore, serverTrack("Email Opened", at: openedAt, person: number, userId: userId, delivery: .pixel, describe) {
                    people[number].truth.emailsOpened += 1
                    let clickedAt = openedAt + Int64(random.int(10...600)) * 1000
                    if random.chance(parameters.emailClickOfOpens), clickedAt < seenBefore, let session = click(campaign, person: number, at: clickedAt, describe) {
                        sessions.append(session)
                    }
                }
            }
            if let at = unsubscribeAt {
                if serverTrack("Unsubscribed", at: at, person: number, userId: userId, email: email, describe) {
                    people[number].truth.unsubscribed = true
                    people[number].marketing = false
                    setConsent(number, "marketing", false)
                    consentUpdated(number, device: nil, at: at + 1000)
                }
            }
        }
        return sessions
    }

    /// `Email Link Clicked`, and the session it starts on the person's phone if they have one.
    private mutating func click(_ campaign: DemoCampaign, person number: Int, at time: Int64, _ describe: (inout JSONBuilder) -> Void) -> PlannedSession? {
        guard let userId = people[number].userId,
              serverTrack("Email Link Clicked", at: time, person: number, userId: userId, { json in
                  describe(&json)
                  json.field("link_url", ClientPages.origin + "/?utm_source=newsletter&utm_medium=email&utm_campaign=\(campaign.id)")
              })
        else { return nil }
        people[number].truth.emailsClicked += 1
        let devices = people[number].devices
        let device = devices.firstIndex { $0.kind == .mobileWeb } ?? devices.firstIndex { !$0.isApp } ?? 0
        return PlannedSession(person: number, device: device, start: time + 2000, channel: .email(campaign: campaign.id), signUp: false)
    }

    /// The person changes their e-mail in their account settings: the back end tells the platform.
    mutating func sendEmailChange(of number: Int, at time: Int64) {
        guard let userId = people[number].userId, let newEmail = people[number].newEmail, time < calendar.end else { return }
        var json = JSONBuilder()
        json.openObject()
        json.field("type", "identify")
        json.field("messageId", nextMessageId())
        json.time("timestamp", time)
        json.field("userId", userId)
        json.openObject("traits")
        json.field("email", SimulatedPerson.typed(newEmail, &random))
        json.closeObject()
        json.openObject("context")
        json.openObject("library")
        json.field("name", "analytics-python")
        json.field("version", "2.3.3")
        json.closeObject()
        json.closeObject()
        json.closeObject()
        if emit(json.bytes, at: time, person: number) { knowEmail(newEmail, of: number) }
    }

    mutating func setConsent(_ number: Int, _ category: String, _ granted: Bool) {
        if let position = people[number].truth.consent.firstIndex(where: { $0.category == category }) {
            people[number].truth.consent[position].granted = granted
        }
    }
}
