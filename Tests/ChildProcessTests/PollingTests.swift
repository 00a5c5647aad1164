import Foundation
import Polling
import Testing

@Suite struct PollingTests {
    @Test func aConditionThatNeverHoldsTimesOutNamingWhatWasAwaited() throws {
        let started = Date()
        let error = try #require(throws: PollTimedOut.self) { try Polling.until("the moon", within: 0.2) { false } }
        #expect(error.description == "the moon did not happen within 0.2 s.")
        #expect(Date().timeIntervalSince(started) >= 0.2)
    }

    @Test func theFirstValueFoundIsReturned() throws {
        var attempts = 0
        let found = try Polling.value("the third attempt", within: 10, every: 0.001) { () -> Int? in
            attempts += 1
            return attempts == 3 ? 42 : nil
        }
        #expect(found == 42)
        #expect(attempts == 3)
    }

    @Test func aConditionThatThrowsStopsTheWait() throws {
        struct Gone: Error {}
        var attempts = 0
        #expect(throws: Gone.self) {
            try Polling.until("never", within: 10) {
                attempts += 1
                throw Gone()
            }
        }
        #expect(attempts == 1)
    }
}
