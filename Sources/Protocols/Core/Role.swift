/// What a role asks its host to do.
public enum Output: Sendable {
    case send(Message, to: Endpoint)
    case report(Event)
}

/// A protocol role as a state machine (sans-I/O, in the manner of etcd's raft): inputs in,
/// outputs appended to a buffer the host owns and reuses, so the hot path allocates no output
/// arrays. The same role value runs unchanged in the simulator and on real transports.
public protocol Role: AnyObject {
    /// The endpoint this role is reachable at.
    var endpoint: Endpoint { get }
    /// Called once, before any other input.
    func start(at now: Instant, into out: inout [Output])
    /// One message from the network. Never traps on any input.
    func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output])
    /// Timers: the host calls `tick` at or after `nextDeadline`.
    func tick(at now: Instant, into out: inout [Output])
    /// The earliest instant at which `tick` has work to do; nil when no timer is armed.
    var nextDeadline: Instant? { get }
}
