import Protocols
import Transport

/// A role the test scripts: what it sends at start, what it answers to each message and each tick,
/// and where its timer stands. It records what it heard and when it ticked.
final class ScriptedRole: Role {
    let endpoint: Endpoint
    var nextDeadline: Instant?
    var onStart: [Output]
    /// Called for each message; may move `nextDeadline`.
    var onMessage: (ScriptedRole, Message, Endpoint, Instant) -> [Output]
    /// Called on each tick; disarms the timer unless it sets `nextDeadline` again.
    var onTick: (ScriptedRole, Instant) -> [Output]
    private(set) var heard: [(message: Message, sender: Endpoint, at: Instant)] = []
    private(set) var ticks: [Instant] = []

    init(_ id: UInt32, deadline: Instant? = nil, onStart: [Output] = [],
         onMessage: @escaping (ScriptedRole, Message, Endpoint, Instant) -> [Output] = { _, _, _, _ in [] },
         onTick: @escaping (ScriptedRole, Instant) -> [Output] = { role, _ in
             role.nextDeadline = nil
             return []
         }) {
        endpoint = Endpoint(id)
        nextDeadline = deadline
        self.onStart = onStart
        self.onMessage = onMessage
        self.onTick = onTick
    }

    func start(at now: Instant, into out: inout [Output]) {
        out += onStart
    }

    func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        heard.append((message, sender, now))
        out += onMessage(self, message, sender, now)
    }

    func tick(at now: Instant, into out: inout [Output]) {
        ticks.append(now)
        out += onTick(self, now)
    }
}

/// A heartbeat: 26 bytes as a frame, so sizes in the tests are easy to count.
func beat(_ nonce: UInt64) -> Message {
    .heartbeat(Heartbeat(group: 0, nonce: nonce, durableBelow: 0))
}

/// A heartbeat's frame size on the wire.
let beatFrameBytes = beat(0).encoded().count

/// `count` heartbeats (nonces 0..<count) to `peer`.
func beats(_ count: Int, to peer: UInt32, from first: UInt64 = 0) -> [Output] {
    (first ..< first + UInt64(count)).map { .send(beat($0), to: Endpoint(peer)) }
}

/// Peer addresses on a made-up network: endpoint `id` lives at 10.0.0.1:(7000 + id).
func peerAddress(_ id: UInt32) -> NetAddress {
    NetAddress(ip: 0x0A00_0001, port: UInt16(7_000 + id))
}

/// An address book with every endpoint in `ids` at `peerAddress(id)`.
func book(_ ids: UInt32...) -> AddressBook {
    AddressBook(ids.map { (Endpoint($0), peerAddress($0)) })
}
