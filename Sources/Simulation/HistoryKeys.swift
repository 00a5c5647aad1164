/// One client's request, as the history checkers key operations: both fields whole (packing them
/// into one integer, `client << 40 | requestID`, merged requests past 2^40).
struct ClientRequestKey: Hashable {
    var client: UInt32
    var requestID: UInt64
}

/// One group's batch, by the seqRequestID its leader gave it.
struct GroupBatchKey: Hashable {
    var group: UInt16
    var seqRequestID: UInt64
}
