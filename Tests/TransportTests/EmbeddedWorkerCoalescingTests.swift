import Protocols
import Transport
import XCTest

/// How a worker packs what its roles send into datagrams, one loop turn at a time in memory.
final class EmbeddedWorkerCoalescingTests: XCTestCase {
    func testMessagesFromOneRoleToOnePeerInOneTurnShareADatagram() throws {
        let role = ScriptedRole(0, onStart: beats(10, to: 5) + beats(3, to: 6, from: 10))
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5, 6))
        embedded.start()

        let sent = embedded.io.takeSent()
        XCTAssertEqual(sent.map(\.peer), [peerAddress(5), peerAddress(6)])
        XCTAssertEqual(try sent[0].header(), Datagram.Header(frames: 10, runTag: RunTag.none, source: Endpoint(0), destination: Endpoint(5)))
        XCTAssertEqual(try sent[1].header(), Datagram.Header(frames: 3, runTag: RunTag.none, source: Endpoint(0), destination: Endpoint(6)))
        XCTAssertEqual(try sent[0].messages(), (0 ..< 10).map(beat))
        XCTAssertEqual(try sent[1].messages(), (10 ..< 13).map(beat))
        let counters = embedded.statistics
        XCTAssertEqual(counters.messagesOut, 13)
        XCTAssertEqual(counters.datagramsOut, 2)
    }

    /// The header names one source and one destination, so two roles never share a datagram.
    func testTwoRolesSendingToOnePeerUseOneDatagramEach() throws {
        let a = ScriptedRole(0, onStart: beats(2, to: 5))
        let b = ScriptedRole(1, onStart: beats(2, to: 5, from: 2))
        let embedded = EmbeddedWorker(roles: [a, b], addresses: book(0, 1, 5))
        embedded.start()

        let sent = embedded.io.takeSent()
        XCTAssertEqual(try sent.map { try $0.header().source }, [Endpoint(0), Endpoint(1)])
        XCTAssertEqual(try sent.map { try $0.messages() }, [[beat(0), beat(1)], [beat(2), beat(3)]])
    }

    /// Whatever the limit, datagrams fill up to it and no further, and every message arrives once, in order.
    func testADatagramNeverExceedsTheMaximumPayload() throws {
        let messages = 20
        for maxPayload in [Datagram.headerSize + beatFrameBytes, Datagram.headerSize + 2 * beatFrameBytes + 1,
                           Datagram.headerSize + 4 * beatFrameBytes + 25, 1_472] {
            let perDatagram = (maxPayload - Datagram.headerSize) / beatFrameBytes
            let role = ScriptedRole(0, onStart: beats(messages, to: 5))
            let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5), io: MemoryPacketIO(maxPayload: maxPayload))
            embedded.start()

            let sent = embedded.io.takeSent()
            XCTAssertEqual(sent.count, (messages + perDatagram - 1) / perDatagram, "limit \(maxPayload)")
            XCTAssertTrue(sent.allSatisfy { $0.bytes.count <= maxPayload }, "limit \(maxPayload): \(sent.map(\.bytes.count))")
            XCTAssertEqual(try sent.flatMap { try $0.messages() }, (0 ..< UInt64(messages)).map(beat), "limit \(maxPayload)")
            XCTAssertEqual(embedded.io.stats.sendFailures, 0)
        }
    }

    /// The header counts frames in one byte.
    func testAtMost255MessagesShareADatagram() throws {
        let role = ScriptedRole(0, onStart: beats(300, to: 5))
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5))
        embedded.start()

        let sent = embedded.io.takeSent()
        XCTAssertEqual(try sent.map { try $0.header().frames }, [255, 45])
        XCTAssertEqual(try sent.flatMap { try $0.messages() }, (0 ..< 300).map(beat))
    }

    func testWithoutCoalescingEachMessageHasItsOwnDatagram() throws {
        let role = ScriptedRole(0, onStart: beats(10, to: 5))
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5), coalesce: false)
        embedded.start()

        let sent = embedded.io.takeSent()
        XCTAssertEqual(try sent.map { try $0.messages() }, (0 ..< 10).map { [beat($0)] })
    }

    /// Replies to two requests received in one batch share a datagram; replies in two turns do not.
    func testOnlyMessagesOfOneTurnShareADatagram() throws {
        let echo = ScriptedRole(0, onMessage: { _, message, sender, _ in [.send(message, to: sender)] })
        let embedded = EmbeddedWorker(roles: [echo], addresses: book(0, 5))
        embedded.start()

        embedded.io.push([beat(1)], from: Endpoint(5), to: Endpoint(0))
        embedded.runTurn()
        embedded.io.push([beat(2)], from: Endpoint(5), to: Endpoint(0))
        embedded.runTurn()
        XCTAssertEqual(try embedded.io.takeSent().map { try $0.messages() }, [[beat(1)], [beat(2)]])

        embedded.io.push([beat(3)], from: Endpoint(5), to: Endpoint(0))
        embedded.io.push([beat(4)], from: Endpoint(5), to: Endpoint(0))
        embedded.runTurn()
        XCTAssertEqual(try embedded.io.takeSent().map { try $0.messages() }, [[beat(3), beat(4)]])
    }

    /// More datagrams than a batch holds: the full batch goes out mid-turn and the rest follow.
    func testAFullBatchIsSentMidTurnAndNothingIsLost() throws {
        let role = ScriptedRole(0, onStart: (1 ... 5).map { .send(beat(UInt64($0)), to: Endpoint(UInt32($0))) })
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 1, 2, 3, 4, 5), batch: 2)
        embedded.start()

        let sent = embedded.io.takeSent()
        XCTAssertEqual(sent.map(\.peer), (1 ... 5).map { peerAddress(UInt32($0)) })
        XCTAssertEqual(try sent.map { try $0.messages() }, (1 ... 5).map { [beat(UInt64($0))] })
        XCTAssertEqual(embedded.statistics.datagramsOut, 5)
    }

    func testAMessageLargerThanADatagramIsCountedAndNotSent() {
        let maxPayload = Datagram.headerSize + beatFrameBytes - 1
        let role = ScriptedRole(0, onStart: beats(1, to: 5))
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5), maxPayload: maxPayload)
        embedded.start()

        XCTAssertEqual(embedded.io.takeSent(), [])
        let counters = embedded.statistics
        XCTAssertEqual(counters.oversizedMessages, 1)
        XCTAssertEqual(counters.messagesOut, 0)
    }

    func testAMessageToAnEndpointMissingFromTheAddressBookIsCountedAndNotSent() {
        let role = ScriptedRole(0, onStart: beats(1, to: 9) + beats(1, to: 5))
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5))
        embedded.start()

        XCTAssertEqual(embedded.io.takeSent().map(\.peer), [peerAddress(5)])
        let counters = embedded.statistics
        XCTAssertEqual(counters.unroutable, 1)
        XCTAssertEqual(counters.messagesOut, 1)
    }
}
