import Control
import Protocols

/// What one system is made of, in one place: where its roles go, the order its servers start in,
/// when they are ready to serve, what a finished run must show, and its figures. The runner's
/// steps (start servers, wait until ready, start clients, measure, collect, reset, retry) are
/// shared by every system and ask the definition for these parts; a new system is a new file
/// beside `MasonDefinition.swift` and a case in `for(_:)`.
public struct SystemDefinition: Sendable {
    public let system: System
    /// Where every role of a run goes on these nodes; a pure function, throwing the option at fault.
    public let place: @Sendable (RunSpec, [NodeSlot]) throws(PlacementError) -> MasonPlacement
    /// The placed server nodes, in the order their roles are started.
    public let startOrder: @Sendable (MasonPlacement) -> [Int]
    /// What keeps the servers from serving, given every role their daemons report
    /// (`roles.status`); nil once clients may start.
    public let notReady: @Sendable (MasonPlacement, [RoleStatus]) -> String?
    /// What a finished attempt's results break beyond the measurement rule (which every system
    /// shares), as one sentence; nil when they hold.
    public let runCheck: @Sendable (RunSpec, [RunResults]) -> String?
    /// The figures `run-figure` runs for this system.
    public let figures: [Figure]

    public init(system: System, place: @escaping @Sendable (RunSpec, [NodeSlot]) throws(PlacementError) -> MasonPlacement,
                startOrder: @escaping @Sendable (MasonPlacement) -> [Int],
                notReady: @escaping @Sendable (MasonPlacement, [RoleStatus]) -> String?,
                runCheck: @escaping @Sendable (RunSpec, [RunResults]) -> String?, figures: [Figure]) {
        precondition(figures.allSatisfy { $0.system == system }, "a system's definition lists only its own figures")
        self.system = system
        self.place = place
        self.startOrder = startOrder
        self.notReady = notReady
        self.runCheck = runCheck
        self.figures = figures
    }

    /// The definitions of the systems built (`System.built`), in that order.
    public static var built: [SystemDefinition] {
        System.built.map { system in
            do {
                return try .for(system)
            } catch {
                preconditionFailure("System.built lists \(system), which has no definition in Sources/Lab/Systems")
            }
        }
    }

    /// The definition of `system`: the one place a system that is not built yet is refused.
    public static func `for`(_ system: System) throws(SystemNotBuilt) -> SystemDefinition {
        switch system {
        case .mason: .mason
        case .corfu, .corfumason, .rsmkeeper, .zkmason: throw SystemNotBuilt(system: system)
        }
    }
}

/// `--system` names a system this build does not run yet (exit 2, `System.notBuiltError`).
public struct SystemNotBuilt: Error, Equatable, CustomStringConvertible {
    public let system: System

    public init(system: System) { self.system = system }

    public var description: String {
        system.notBuiltError ?? "the \(system.rawValue) system has no definition in Sources/Lab/Systems."
    }
}
