/// Runtime settings of one proxy group replica. Every constant the original compiled in is here.
public struct ProxyConfig: Sendable {
    public var group: UInt16
    public var spaces: Int
    public var sequencer: Endpoint
    /// A batch closes this long after its first operation arrived...
    public var batchTimeoutMicros: UInt64
    /// ...or as soon as it holds this many operations.
    public var maxBatchOps: Int
    /// Closed batches waiting for the sequencer; the open batch waits while this many are out.
    public var maxBatchesInFlight: Int
    /// A sequencer request unanswered for this long is sent again (same seqRequestID).
    public var sequencerRetryMicros: UInt64
    public var heartbeatMicros: UInt64
    /// A client request this far beyond the client's acknowledged mark is refused (bounds the
    /// per-client queue and answer table).
    public var maxClientWindow: UInt64
    /// Distinct clients tracked at once; requests from further clients are refused.
    public var maxClients: Int

    public init(group: UInt16, spaces: Int, sequencer: Endpoint, batchTimeoutMicros: UInt64 = 20,
                maxBatchOps: Int = 64, maxBatchesInFlight: Int = 16, sequencerRetryMicros: UInt64 = 2_000,
                heartbeatMicros: UInt64 = 500_000, maxClientWindow: UInt64 = 4_096, maxClients: Int = 65_536) {
        precondition((1 ... maxSequenceSpaces).contains(spaces), "sequence spaces must be 1...\(maxSequenceSpaces)")
        precondition(maxBatchOps > 0 && maxBatchesInFlight > 0 && maxClientWindow > 0 && maxClients > 0)
        self.group = group
        self.spaces = spaces
        self.sequencer = sequencer
        self.batchTimeoutMicros = batchTimeoutMicros
        self.maxBatchOps = maxBatchOps
        self.maxBatchesInFlight = maxBatchesInFlight
        self.sequencerRetryMicros = sequencerRetryMicros
        self.heartbeatMicros = heartbeatMicros
        self.maxClientWindow = maxClientWindow
        self.maxClients = maxClients
    }
}
