import Protocols
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
        try waitUntil { b.perform { ($0[0] as! Prober).replies.count } >= 500 }
        let replies = b.perform { ($0[0] as! Prober).replies }
        XCTAssertEqual(replies.count, 500)
        XCTAssertEqual(Set(replies.map(\.seqRequestID)), Set(0 ..< 500))
        XCTAssertEqual(a.perform { ($0[0] as! Sequencer).highWater }, [500, 1_000])
        let sent = b.statistics
        XCTAssertEqual(sent.messagesOut, 500)
        XCTAssertLessThan(sent.datagramsOut, 500, "requests to one peer in one turn share datagrams")
    }

    /// Garbage on a role port is counted and dropped; the worker goes on serving.
    func testGarbageDatagramsAreCountedAndDropped() throws {
        let io = try UDPSocket(bind: loopback)
        let book = AddressBook([(Endpoint(0), io.localAddress)])
        let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 1, groups: 1))
        let worker = Worker(name: "seq", io: io, addresses: book, roles: [sequencer]) { _, _, _ in }
        worker.start()
        defer { worker.stop() }

        let raw = try UDPSocket(bind: loopback)
        let batch = PacketBatch(capacity: 8, slotSize: 2_048)
        func send(_ bytes: [UInt8]) {
            batch.count = 1
            batch.lengths[0] = bytes.count
            batch.peers[0] = io.localAddress
            bytes.withUnsafeBytes { batch.buffer(0).copyMemory(from: $0) }
            raw.send(batch)
        }
        send([1, 2, 3])                                        // too short for a header
        send([UInt8](repeating: 0xAB, count: 100))             // bad magic
        var header = [UInt8](repeating: 0, count: Datagram.headerSize)
        header.withUnsafeMutableBytes { Datagram.writeHeader($0, frames: 1, runTag: RunTag.none, source: Endpoint(9), destination: Endpoint(0)) }
        send(header + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF])          // a frame that does not decode
        var misaddressed = header
        misaddressed.withUnsafeMutableBytes { Datagram.writeHeader($0, frames: 1, runTag: RunTag.none, source: Endpoint(9), destination: Endpoint(77)) }
        send(misaddressed + Message.heartbeat(Heartbeat(group: 0, nonce: 1, durableBelow: 0)).encoded())
        for _ in 0 ..< 50 { send((0 ..< 64).map { _ in UInt8.random(in: 0 ... 255) }) }

        try waitUntil { worker.statistics.datagramsIn >= 54 }
        let c = worker.statistics
        XCTAssertEqual(c.malformedDatagrams + c.malformedFrames + c.misaddressed, 54)
        XCTAssertEqual(c.misaddressed, 1)
        XCTAssertGreaterThanOrEqual(c.malformedFrames, 1)
        XCTAssertEqual(c.messagesIn, 0)
    }

    /// A datagram of another run (a late packet of an earlier attempt, another experiment on a
    /// reused port) is dropped before any role sees it, and counted; this run's still get through.
    func testDatagramsOfAnotherRunAreCountedAndDropped() throws {
        let io = try UDPSocket(bind: loopback)
        let book = AddressBook([(Endpoint(0), io.localAddress)])
        let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 1, groups: 1))
        let worker = Worker(name: "seq", io: io, addresses: book, roles: [sequencer], runTag: RunTag.of(run: "attempt-2")) { _, _, _ in }
        worker.start()
        defer { worker.stop() }

        let raw = try UDPSocket(bind: loopback)
        let batch = PacketBatch(capacity: 8, slotSize: 2_048)
        func send(run: String) {
            let request = Message.sequencerRequest(SequencerRequest(group: 0, term: 1, batchID: 0, seqRequestID: 0,
                                                                    durableBelow: 0, counts: SpaceCounts([1])))
            var bytes = [UInt8](repeating: 0, count: Datagram.headerSize)
            bytes.withUnsafeMutableBytes {
                Datagram.writeHeader($0, frames: 1, runTag: RunTag.of(run: run), source: Endpoint(9), destination: Endpoint(0))
            }
            bytes += request.encoded()
            batch.count = 1
            batch.lengths[0] = bytes.count
            batch.peers[0] = io.localAddress
            bytes.withUnsafeBytes { batch.buffer(0).copyMemory(from: $0) }
            raw.send(batch)
        }
        for _ in 0 ..< 3 { send(run: "attempt-1") }
        send(run: "attempt-2")
        try waitUntil { worker.statistics.datagramsIn >= 4 }
        let c = worker.statistics
        XCTAssertEqual(c.foreignRun, 3)
        XCTAssertEqual(c.messagesIn, 1)
        XCTAssertEqual(worker.perform { ($0[0] as! Sequencer).allocations }, 1)
    }

    /// The run tag is FNV-1a 64 of the run's name: pinned, since every daemon must derive the same.
    func testRunTagIsFNV1a64OfTheRunName() {
        XCTAssertEqual(RunTag.of(run: ""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(RunTag.of(run: "a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(RunTag.of(run: "foobar"), 0x8594_4171_F739_67E8)
        XCTAssertNotEqual(RunTag.of(run: "run-1"), RunTag.of(run: "run-2"))
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
        try waitUntil { a.statistics.toCrashedRoles >= 1 }
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

/// Polls `condition` every millisecond for up to `seconds`; throws (failing the test) when it never holds.
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        guard Date() < deadline else {
            throw WaitTimedOut(seconds: seconds)
        }
        usleep(1_000)
    }
}

/// A condition a test waited for never held.
struct WaitTimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "condition not met within \(seconds) s" }
}
