import Foundation

/// "Wait until it is ready or time out", the one way: a condition checked every `interval`
/// seconds until it holds or `seconds` have passed. A condition that throws stops the wait with
/// its error (a daemon that exited will never answer).
public enum Polling {
    /// Returns once `condition` holds; throws `PollTimedOut` naming `what` after `seconds`.
    public static func until(_ what: @autoclosure () -> String, within seconds: Double, every interval: Double = 0.005,
                             _ condition: () throws -> Bool) throws {
        _ = try value(what(), within: seconds, every: interval) { try condition() ? () : nil }
    }

    /// The first non-nil value `attempt` returns (a connected client, a parsed file); throws
    /// `PollTimedOut` naming `what` after `seconds`.
    public static func value<T>(_ what: @autoclosure () -> String, within seconds: Double, every interval: Double = 0.005,
                                _ attempt: () throws -> T?) throws -> T {
        precondition(seconds >= 0 && interval > 0, "a wait needs a deadline and a pause")
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let found = try attempt() { return found }
            guard Date() < deadline else { throw PollTimedOut(what: what(), seconds: seconds) }
            usleep(useconds_t(interval * 1_000_000))
        }
    }
}

/// A condition waited for never held.
public struct PollTimedOut: Error, CustomStringConvertible {
    public var what: String
    public var seconds: Double
    public var description: String {
        "\(what) did not happen within \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s."
    }
}
