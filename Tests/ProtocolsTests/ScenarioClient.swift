import Protocols

/// A client the script drives by hand: it sends the requests the script names and records the
/// replies it gets (a closed-loop `Client` would issue on its own and blur the trace).
final class ScenarioClient: Role {
    let endpoint: Endpoint
    let client: UInt32
    /// Replies received, in order.
    private(set) var replies: [ClientReply] = []

    init(endpoint: Endpoint, client: UInt32) {
        self.endpoint = endpoint
        self.client = client
    }

    var nextDeadline: Instant? { nil }
    func start(at now: Instant, into out: inout [Output]) {}
    func tick(at now: Instant, into out: inout [Output]) {}

    func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard case let .clientReply(reply) = message, reply.client == client else {
            out.append(.report(.anomaly(role: endpoint, description: "got something other than its own client reply")))
            return
        }
        replies.append(reply)
    }
}
