import Foundation
import Testing
import XCTest

/// Tests that need root, network namespaces or OpenSSH's tools skip with one line where those are
/// missing (a developer's machine). `make test` sets `MASONLAB_REQUIRE_ALL_TESTS=1`: there a
/// missing prerequisite fails the test instead, so CI cannot pass on tests that never ran.
///
/// swift-testing: `@Test(.prerequisite("needs root") { geteuid() == 0 })`. XCTest:
/// `try TestPrerequisites.skipUnless(geteuid() == 0, "needs root")`. Never `guard … else { return }`:
/// a test that returns early passes having checked nothing.
public enum TestPrerequisites {
    public static var required: Bool { ProcessInfo.processInfo.environment["MASONLAB_REQUIRE_ALL_TESTS"] == "1" }

    /// What a test throws when `required` and a prerequisite is missing.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
        public init(_ what: String) { description = "\(what) (MASONLAB_REQUIRE_ALL_TESTS=1: required, not skipped)" }
    }

    /// Whether a test runs: true where `available`; else false (skipped, saying `what`), or, when
    /// `required`, `Missing` thrown, which swift-testing records as the test's failure.
    public static func shouldRun(_ available: Bool, _ what: String, required: Bool = Self.required) throws -> Bool {
        if available { return true }
        if required { throw Missing(what) }
        return false
    }

    /// For XCTest: returns where `available`; else throws XCTSkip(`what`), or `Missing` when `required`.
    public static func skipUnless(_ available: Bool, _ what: String, required: Bool = Self.required) throws {
        guard try shouldRun(available, what, required: required) else { throw XCTSkip(what) }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test or suite where `available()` holds; elsewhere skips it visibly with `what`,
    /// and under `make test` (MASONLAB_REQUIRE_ALL_TESTS=1) fails it saying `what` is missing.
    public static func prerequisite(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                                    _ available: @escaping @Sendable () -> Bool) -> Self {
        .enabled(Comment(rawValue: what), sourceLocation: sourceLocation) { try TestPrerequisites.shouldRun(available(), what) }
    }
}
