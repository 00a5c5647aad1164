import Foundation

/// `--pause ROLE:T:DURATION` and `--partition T:DURATION` read and checked against the run: every
/// fault inside the measured window, every role in the run, one partition at a time.
public enum NemesisArguments {
    /// The roles a pause may name, as `--help` and the errors list them.
    public static let roles = "sequencer, backup, leader, proxy-G-R or client-K"

    /// `ROLE:T:DURATION`.
    public static func pause(_ text: String) throws(NemesisArgumentError) -> ScheduledFault {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            throw NemesisArgumentError("--pause '\(text)': expected ROLE:T:DURATION (ROLE is \(roles); T and DURATION in seconds), e.g. leader:1:0.5.")
        }
        guard let role = PauseTarget(parts[0]) else {
            throw NemesisArgumentError("--pause '\(text)': '\(parts[0])' is not a role; use \(roles).")
        }
        let (at, duration) = try times(parts[1], parts[2], flag: "--pause", text: text)
        return .pause(role: role, at: at, duration: duration)
    }

    /// `T:DURATION`.
    public static func partition(_ text: String) throws(NemesisArgumentError) -> ScheduledFault {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw NemesisArgumentError("--partition '\(text)': expected T:DURATION in seconds, e.g. 2.5:0.8.")
        }
        let (at, duration) = try times(parts[0], parts[1], flag: "--partition", text: text)
        return .partition(at: at, duration: duration)
    }

    private static func times(_ t: String, _ d: String, flag: String, text: String) throws(NemesisArgumentError) -> (Double, Double) {
        guard let at = Double(t), at.isFinite, at >= 0 else {
            throw NemesisArgumentError("\(flag) '\(text)': T must be seconds from the start of measurement, 0 or more (got '\(t)').")
        }
        guard let duration = Double(d), duration.isFinite, duration > 0 else {
            throw NemesisArgumentError("\(flag) '\(text)': DURATION must be a positive number of seconds (got '\(d)').")
        }
        return (at, duration)
    }

    /// Every pause and partition ends inside the measurement (`0...duration` s), names a role the
    /// run has (`groups` proxy groups of 3, `clients` clients in all), and no two partitions overlap.
    public static func check(_ faults: [ScheduledFault], duration: Double, groups: Int, clients: Int) throws(NemesisArgumentError) {
        for fault in faults {
            guard let end = fault.end else { continue }
            guard end <= duration else {
                throw NemesisArgumentError("--\(fault.kind) \(fault.argument) ends at \(end) s, after the measurement (0...\(duration) s); "
                    + "start it earlier, shorten it, or raise --duration.")
            }
            if case let .pause(role, _, _) = fault {
                switch role {
                case let .proxy(g, _) where g >= groups:
                    throw NemesisArgumentError("--pause \(fault.argument): there is no group \(g); this run has groups 0...\(groups - 1) "
                        + "(--nproxies / 3 × --nproxy-threads).")
                case let .client(k) where k >= clients:
                    throw NemesisArgumentError("--pause \(fault.argument): there is no client \(k); this run has clients 0...\(clients - 1) "
                        + "(--nclients × --nclient-threads).")
                default: break
                }
            }
        }
        // A paused daemon cannot be told to crash its sequencer: every attempt would fail.
        for kill in faults where kill.kind == "kill-sequencer" {
            if let pause = faults.first(where: { if case .pause(.sequencer, _, _) = $0 { ($0.at ... $0.end!).contains(kill.at) } else { false } }) {
                throw NemesisArgumentError("--kill-sequencer \(kill.at) falls inside --pause \(pause.argument), when sequencer-0's daemon "
                    + "is stopped and cannot be told to crash; kill it before or after the pause.")
            }
        }
        let partitions = faults.filter { $0.kind == "partition" }.sorted { $0.at < $1.at }
        for (a, b) in zip(partitions, partitions.dropFirst()) where b.at < a.end! {
            throw NemesisArgumentError("--partition \(a.argument) and --partition \(b.argument) overlap; "
                + "one partition at a time: start the second at \(a.end!) s or later.")
        }
    }
}

/// A `--pause` or `--partition` value that cannot run, as one sentence naming the flag and the fix.
public struct NemesisArgumentError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
