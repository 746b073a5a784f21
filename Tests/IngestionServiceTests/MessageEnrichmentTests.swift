import Foundation
import Testing
@testable import IngestionService
import KinshipCore
import KinshipDatabase
import KinshipOutbox

/// What ingestion adds to `context`, message after message of one request.
@Suite struct MessageEnrichmentTests {
    @Test func eachMessageGetsItsOwnCampaignAndUserAgentHoweverTheyRepeat() {
        var enrichment = MessageEnrichment(metadata: IncomingMessageTests.metadata())
        let pages = [
            ("https://shop.example/p/1?utm_source=mail&utm_campaign=spring", ["source": "mail", "name": "spring"]),
            ("https://shop.example/p/2?utm_source=mail&utm_campaign=spring", ["source": "mail", "name": "spring"]),
            ("https://shop.example/p/2?utm_source=ads&utm_campaign=spring", ["source": "ads", "name": "spring"]),
            ("https://shop.example/p/3", [:]),
            ("utm_medium=cpc", ["medium": "cpc"]),
            ("https://shop.example/p/1?utm_source=mail&utm_campaign=spring#utm_source=other", ["source": "mail", "name": "spring"]),
            ("https://shop.example/p/1?utm_source=mail&utm_campaign=spring", ["source": "mail", "name": "spring"]),
        ]
        let agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0", "curl/8.0", "curl/8.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
        ]
        for ((url, campaign), agent) in zip(pages, agents) {
            var context: [String: JSONValue] = ["page": .object(["url": .string(url)]), "userAgent": .string(agent)]
            enrichment.enrich(&context)
            #expect(context["campaign"] == (campaign.isEmpty ? nil : .object(campaign.mapValues(JSONValue.string))), "\(url)")
            #expect(context[UserAgent.contextKey] == .object(UserAgent(parsing: agent).contextObject), "\(agent)")
        }
    }
}
