import Foundation

/// Tests that need root, network namespaces or OpenSSH's tools skip with one line where those are
/// missing (a developer's machine). `make test` sets `MASONLAB_REQUIRE_ALL_TESTS=1`: there a
/// missing prerequisite fails the test instead, so CI cannot pass on tests that never ran.
public enum TestPrerequisites {
    public static var required: Bool { ProcessInfo.processInfo.environment["MASONLAB_REQUIRE_ALL_TESTS"] == "1" }

    /// What a test throws when `required` and a prerequisite is missing.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
        public init(_ what: String) { description = "\(what) (MASONLAB_REQUIRE_ALL_TESTS=1: required, not skipped)" }
    }
}
