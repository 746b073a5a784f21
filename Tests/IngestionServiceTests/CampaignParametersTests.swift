import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Testing
@testable import IngestionService

struct CampaignParametersTests {
    @Test func utmParametersOfAPageURLGetSegmentNames() {
        let url = "https://shop.example/sale?ref=home&utm_source=newsletter&utm_medium=email"
            + "&utm_campaign=spring%20sale&utm_term=red+shoes&utm_content=hero%2Bbanner#top"
        #expect(CampaignParameters(urlOrQuery: url)?.fields == [
            "source": "newsletter", "medium": "email", "name": "spring sale", "term": "red shoes", "content": "hero+banner",
        ])
    }

    @Test func aBareQueryWithOrWithoutQuestionMarkIsReadToo() {
        #expect(CampaignParameters(urlOrQuery: "?utm_source=ads")?.fields == ["source": "ads"])
        #expect(CampaignParameters(urlOrQuery: "utm_source=ads&x=1")?.fields == ["source": "ads"])
    }

    @Test func otherUtmParametersKeepTheirSuffixAsName() {
        #expect(CampaignParameters(urlOrQuery: "?utm_id=42&utm_source_platform=meta")?.fields == ["id": "42", "source_platform": "meta"])
    }

    @Test func firstNonEmptyValueWins() {
        #expect(CampaignParameters(urlOrQuery: "?utm_source=a&utm_source=b")?.fields == ["source": "a"])
        #expect(CampaignParameters(urlOrQuery: "?utm_source=&utm_source=b")?.fields == ["source": "b"])
    }

    @Test func parameterNamesAreReadInAnyCase() {
        #expect(CampaignParameters(urlOrQuery: "?UTM_Source=Partner")?.fields == ["source": "Partner"])
    }

    @Test func malformedPercentEscapesAreKeptAsWritten() {
        #expect(CampaignParameters(urlOrQuery: "?utm_source=100%25&utm_medium=50%off")?.fields == ["source": "100%", "medium": "50%off"])
    }

    @Test func escapedKeysAreDecodedBeforeMatching() {
        #expect(CampaignParameters(urlOrQuery: "?%75tm%5Fsource=mail&utm%5Fcampaign=x")?.fields == ["source": "mail", "name": "x"])
    }

    @Test func escapesThatAreNotUTF8AreKeptAsWritten() {
        #expect(CampaignParameters(urlOrQuery: "?utm_source=caf%E9+bar&utm_term=caf%C3%A9")?.fields == ["source": "caf%E9 bar", "term": "café"])
    }

    @Test func nonASCIINamesAndValuesSurvive() {
        #expect(CampaignParameters(urlOrQuery: "?utm_Källa=ข่าว")?.fields == ["källa": "ข่าว"])
    }

    @Test(arguments: ["https://shop.example/", "https://shop.example/?ref=1", "", "?utm_source=", "?utm_=x", "https://shop.example/#utm_source=a"])
    func textWithoutUtmValuesGivesNothing(_ text: String) {
        #expect(CampaignParameters(urlOrQuery: text) == nil)
    }

    @Test func contextObjectHoldsStrings() {
        #expect(CampaignParameters(urlOrQuery: "?utm_campaign=launch")?.contextObject == ["name": .string("launch")])
    }
}
