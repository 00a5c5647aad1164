/// What one worker moved and what it refused, since it started.
public struct WorkerCounters: Sendable, Equatable, Codable {
    public var datagramsIn: UInt64 = 0
    public var datagramsOut: UInt64 = 0
    public var messagesIn: UInt64 = 0
    public var messagesOut: UInt64 = 0
    /// Datagrams without a valid Mason header (garbage on a role port).
    public var malformedDatagrams: UInt64 = 0
    /// Datagrams whose frames did not decode (the rest of such a datagram is dropped).
    public var malformedFrames: UInt64 = 0
    /// Datagrams of another run (their run tag is not this worker's): a late packet of an earlier
    /// attempt, or another experiment on a reused port.
    public var foreignRun: UInt64 = 0
    /// Datagrams for an endpoint this worker does not host.
    public var misaddressed: UInt64 = 0
    /// Datagrams for a role that was crashed (dropped unread, as a dead process would).
    public var toCrashedRoles: UInt64 = 0
    /// Messages to an endpoint missing from the address book.
    public var unroutable: UInt64 = 0
    /// Messages larger than a datagram may carry.
    public var oversizedMessages: UInt64 = 0
    /// Datagrams the transport failed to send or received truncated.
    public var sendFailures: UInt64 = 0
    public var oversizedDatagrams: UInt64 = 0
    public var foreignFrames: UInt64 = 0
    /// A role whose timer was still due right after its tick (held back 100 µs, not spun on).
    public var timerAnomalies: UInt64 = 0
    /// Loop turns, and turns that slept in `wait`.
    public var turns: UInt64 = 0
    public var sleeps: UInt64 = 0

    public init() {}
}
