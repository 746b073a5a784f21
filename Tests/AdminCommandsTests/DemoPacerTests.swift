import Testing
@testable import AdminCommands

struct DemoPacerTests {
    @Test func aRateSpacesTheEventsOut() async throws {
        let pacer = DemoPacer(rate: 200)
        let started = ContinuousClock.now
        // 100 events at 200 a second: the first 20 go at once, the last 20 after 0.4 s.
        for _ in 0..<5 { try await pacer.admit(events: 20) }
        #expect(ContinuousClock.now - started >= .milliseconds(400))
    }

    @Test func aPauseHoldsEverySenderBack() async throws {
        let pacer = DemoPacer(rate: nil)
        let started = ContinuousClock.now
        try await pacer.admit(events: 1_000_000)
        #expect(ContinuousClock.now - started < .milliseconds(100))
        pacer.pause(for: .milliseconds(300))
        pacer.pause(for: .milliseconds(100))  // a shorter pause does not shorten it
        try await pacer.admit(events: 1)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }
}
