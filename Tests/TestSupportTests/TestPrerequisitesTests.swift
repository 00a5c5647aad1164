import Testing
import TestSupport
import XCTest

@Suite struct TestPrerequisitesTests {
    @Test func anAvailablePrerequisiteRunsTheTestEvenWhenRequired() throws {
        #expect(try TestPrerequisites.shouldRun(true, "root", required: false))
        #expect(try TestPrerequisites.shouldRun(true, "root", required: true))
    }

    @Test func aMissingOneSkipsUnlessRequiredThenFailsSayingWhat() throws {
        #expect(try !TestPrerequisites.shouldRun(false, "root", required: false))
        let missing = try #require(throws: TestPrerequisites.Missing.self) { try TestPrerequisites.shouldRun(false, "needs root", required: true) }
        #expect(missing.description == "needs root (MASONLAB_REQUIRE_ALL_TESTS=1: required, not skipped)")
    }

    @Test func theXCTestFormSkipsOrFails() throws {
        #expect(throws: XCTSkip.self) { try TestPrerequisites.skipUnless(false, "nft", required: false) }
        #expect(throws: TestPrerequisites.Missing.self) { try TestPrerequisites.skipUnless(false, "nft", required: true) }
        #expect(throws: Never.self) { try TestPrerequisites.skipUnless(true, "nft", required: true) }
    }

    @Test func theTraitEvaluatesTheSameWay() async throws {
        #expect(try await ConditionTrait.prerequisite("always here") { true }.evaluate())
        // The environment decides the missing case: skipped (false) on a developer's machine, thrown under make test.
        if TestPrerequisites.required {
            await #expect(throws: TestPrerequisites.Missing.self) { try await ConditionTrait.prerequisite("never here") { false }.evaluate() }
        } else {
            #expect(try await !ConditionTrait.prerequisite("never here") { false }.evaluate())
        }
    }
}
