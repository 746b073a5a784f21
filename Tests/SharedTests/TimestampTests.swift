import Foundation
import Testing
import KinshipCore

struct TimestampTests {
    // 2024-03-05T10:15:30Z, computed independently: `date -u -d 2024-03-05T10:15:30Z +%s`.
    let reference = 1_709_633_730.0

    @Test(arguments: [
        ("2024-03-05T10:15:30Z", 0.0),
        ("2024-03-05T10:15:30.250Z", 0.25),
        ("2024-03-05T10:15:30.123456789Z", 0.123456789),
        ("2024-03-05T17:15:30+07:00", 0.0),
        ("2024-03-05T17:15:30+0700", 0.0),
        ("2024-03-05T05:15:30.5-05:00", 0.5),
        ("2024-03-05 10:15:30Z", 0.0),
        ("2024-03-05T10:15:30", 0.0),
    ])
    func parsesTheShapesClientsSend(text: String, fraction: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - (reference + fraction)) < 1e-6)
    }

    @Test(arguments: ["", "yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-03-05T25:00:00Z",
                      "2024-03-05T10:15:30.Z", "2024-03-05T10:15:30Zjunk", "2024-03-05", "1709633730"])
    func refusesWhatIsNotATimestamp(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func leapDayAndPreEpochDatesParse() throws {
        #expect(Timestamp.parse("2024-02-29T00:00:00Z")?.timeIntervalSince1970 == 1_709_164_800)
        #expect(Timestamp.parse("1969-12-31T23:59:59Z")?.timeIntervalSince1970 == -1)
        #expect(Timestamp.parse("2023-02-29T00:00:00Z") == nil)
    }

    @Test func formatsInUTCWithMilliseconds() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: reference + 0.042)) == "2024-03-05T10:15:30.042Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 253_402_300_799.5)) == "9999-12-31T23:59:59.500Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -62_167_219_200)) == "0000-01-01T00:00:00.000Z")
    }

    @Test func yearsBeyondFourDigitsAreWrittenWhole() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
    }
}
