import Protocols
import TestSupport
import Transport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A role that sends `count` sequencer requests to `peer` at start and keeps every reply.
private final class Prober: Role {
    let endpoint: Endpoint
    let peer: Endpoint
    let count: Int
    var replies: [SequencerReply] = []

    init(endpoint: Endpoint, peer: Endpoint, count: Int) {
        self.endpoint = endpoint
        self.peer = peer
        self.count = count
    }

    func start(at now: Instant, into out: inout [Output]) {
        for id in 0 ..< UInt64(count) {
            let request = SequencerRequest(group: 0, term: 1, batchID: id, seqRequestID: id, durableBelow: 0, counts: SpaceCounts([1, 2]))
            out.append(.send(.sequencerRequest(request), to: peer))
        }
    }

    func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        if case let .sequencerReply(reply) = message { replies.append(reply) }
    }

    func tick(at now: Instant, into out: inout [Output]) {}
    var nextDeadline: Instant? { nil }
}

/// The live layer: workers over real loopback UDP sockets, each on its own thread. What a worker
/// does with each datagram, timer and crash is pinned in memory (`EmbeddedWorker*Tests`); these
/// check that the same loop holds up over the kernel and across threads.
final class UDPWorkerTests: XCTestCase {
    private let loopback = NetAddress(ip: "127.0.0.1", port: 0)!

    /// Two workers on loopback: a sequencer and a prober; every request is answered exactly once,
    /// with the numbers in order, and requests to one peer share datagrams.
    func testSequencerAnswersAProberAcrossTwoWorkers() throws {
        let sequencerIO = try UDPSocket(bind: loopback)
        let proberIO = try UDPSocket(bind: loopback)
        let book = AddressBook([(Endpoint(0), sequencerIO.localAddress), (Endpoint(1), proberIO.localAddress)])
        let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 2, groups: 1, maxPendingPerGroup: 1_000))
        let prober = Prober(endpoint: Endpoint(1), peer: Endpoint(0), count: 500)
        let a = Worker(name: "seq", io: sequencerIO, addresses: book, roles: [sequencer]) { _, _, _ in }
        let b = Worker(name: "probe", io: proberIO, addresses: book, roles: [prober]) { _, _, _ in }
        a.start()
        b.start()
        defer {
            a.stop()
            b.stop()
        }
        try Polling.until("500 replies", within: 10, every: 0.001) { b.perform { ($0[0] as! Prober).replies.count } >= 500 }
        let replies = b.perform { ($0[0] as! Prober).replies }
        XCTAssertEqual(replies.count, 500)
        XCTAssertEqual(Set(replies.map(\.seqRequestID)), Set(0 ..< 500))
        XCTAssertEqual(a.perform { ($0[0] as! Sequencer).highWater }, [500, 1_000])
        let sent = b.statistics
        XCTAssertEqual(sent.messagesOut, 500)
        XCTAssertLessThan(sent.datagramsOut, 500, "requests to one peer in one turn share datagrams")
    }

    /// A crashed role gets no more input; its datagrams are counted as dropped.
    func testCrashedRoleHearsNothing() throws {
        let sequencerIO = try UDPSocket(bind: loopback)
        let proberIO = try UDPSocket(bind: loopback)
        let book = AddressBook([(Endpoint(0), sequencerIO.localAddress), (Endpoint(1), proberIO.localAddress)])
        let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 2, groups: 1))
        let a = Worker(name: "seq", io: sequencerIO, addresses: book, roles: [sequencer]) { _, _, _ in }
        a.start()
        defer { a.stop() }
        XCTAssertTrue(a.crash(Endpoint(0)))
        XCTAssertFalse(a.crash(Endpoint(5)))
        let prober = Prober(endpoint: Endpoint(1), peer: Endpoint(0), count: 10)
        let b = Worker(name: "probe", io: proberIO, addresses: book, roles: [prober]) { _, _, _ in }
        b.start()
        defer { b.stop() }
        try Polling.until("a datagram to the crashed role counted", within: 10, every: 0.001) { a.statistics.toCrashedRoles >= 1 }
        XCTAssertEqual(a.perform { ($0[0] as! Sequencer).allocations }, 0)
        XCTAssertEqual(b.perform { ($0[0] as! Prober).replies.count }, 0)
    }

    func testNetAddressParsing() {
        XCTAssertEqual(NetAddress("127.0.1.2:7000"), NetAddress(ip: 0x7F00_0102, port: 7000))
        XCTAssertEqual(NetAddress("127.0.1.2:7000")?.description, "127.0.1.2:7000")
        for bad in ["", "127.0.0.1", "127.0.0.1:", "127.0.0:1", "256.0.0.1:1", "1.2.3.4:70000", "a.b.c.d:1", "1.2.3.4.5:1", "+1.2.3.4:1"] {
            XCTAssertNil(NetAddress(bad), bad)
        }
        XCTAssertEqual(MACAddress("0a:1B:2c:3d:4e:5f")?.description, "0a:1b:2c:3d:4e:5f")
        XCTAssertNil(MACAddress("0a:1b:2c:3d:4e"))
        XCTAssertNil(MACAddress("0a:1b:2c:3d:4e:5g"))
    }
}
