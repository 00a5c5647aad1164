import Foundation

/// What a testbed can do to its nodes besides running roles, as Jepsen's nemesis does: stop a
/// node's daemon and continue it (a hung machine), cut nodes off from the others and heal the cut.
/// What it starts it can undo: `healAll` undoes everything still in force, from any thread (an
/// interrupt); the runner calls it at the end of every attempt and the testbed's `stop` calls it,
/// so no daemon is left stopped and no rule is left behind.
public protocol Nemesis: AnyObject, Sendable {
    /// Refuses, before the first attempt, faults this testbed cannot inject (a missing tool, not
    /// root), in one sentence saying what to install or do.
    func check(_ faults: [ScheduledFault], nodes: [NodeSlot]) throws(NemesisUnavailable)
    /// Stops the daemon of `node` (every role on it stops with it).
    func pause(_ node: NodeSlot) throws
    /// Continues the daemon `pause` stopped.
    func resume(_ node: NodeSlot) throws
    /// Drops every datagram between `cut` and `others`, both ways, until `heal`.
    func partition(_ cut: [NodeSlot], from others: [NodeSlot]) throws
    /// Removes the partition's rules.
    func heal() throws
    /// Continues every paused daemon and removes every rule; never throws (best effort, each step tried).
    func healAll()
}

/// Why this testbed cannot inject a fault, as one sentence with the fix (exit 2 before any attempt).
public struct NemesisUnavailable: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A testbed that injects no pauses or partitions: every such fault is refused before a run.
public final class NoNemesis: Nemesis {
    public let testbed: String
    public init(testbed: String) { self.testbed = testbed }

    public func check(_ faults: [ScheduledFault], nodes: [NodeSlot]) throws(NemesisUnavailable) {
        if let lasting = faults.first(where: { $0.duration != nil }) {
            throw NemesisUnavailable("--\(lasting.kind): the \(testbed) testbed cannot pause or partition nodes.")
        }
    }

    public func pause(_ node: NodeSlot) throws { throw LabError("the \(testbed) testbed cannot pause \(node.name).") }
    public func resume(_ node: NodeSlot) throws {}
    public func partition(_ cut: [NodeSlot], from others: [NodeSlot]) throws {
        throw LabError("the \(testbed) testbed cannot partition nodes.")
    }
    public func heal() throws {}
    public func healAll() {}
}

extension Runner {
    /// Refuses a run whose pauses or partitions this testbed cannot inject (exit 2 before the first attempt).
    public func checkFaults(_ spec: RunSpec) throws(NemesisUnavailable) {
        let nodes: [NodeSlot]
        do { nodes = try placement(spec).nodes.map(\.slot) } catch { return }  // placement errors are reported by placement()
        try testbed.nemesis.check(spec.faults, nodes: nodes)
    }
}
