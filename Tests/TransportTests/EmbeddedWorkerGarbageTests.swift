import Protocols
import Transport
import XCTest

/// What a worker does with datagrams it cannot deliver: drop each before any role sees it and
/// count it once, under its reason, and go on serving.
final class EmbeddedWorkerGarbageTests: XCTestCase {
    private let runTag = RunTag.of(run: "run-7")

    private func datagram(_ messages: [Message], to destination: UInt32 = 0, runTag: UInt64? = nil) -> [UInt8] {
        Datagram.bytes(messages, runTag: runTag ?? self.runTag, source: Endpoint(5), destination: Endpoint(destination))
    }

    /// Each case in its own loop turn: exactly the named counters move, each by one, and the rest
    /// of the worker's counters stay where they were (besides the turn itself).
    func testEachKindOfGarbageMovesItsCounterByExactlyOne() {
        let valid = datagram([beat(1)])
        var badVersion = valid
        badVersion[2] = Datagram.version - 1
        var noFrames = valid
        noFrames[3] = 0
        var secondFrameMissing = valid
        secondFrameMissing[3] = 2
        typealias Counter = WritableKeyPath<WorkerCounters, UInt64>
        let cases: [(name: String, bytes: [UInt8], moved: [Counter], heard: Int)] = [
            ("shorter than a header", [0x53, 0x4D, 2], [\.datagramsIn, \.malformedDatagrams], 0),
            ("bad magic", [UInt8](repeating: 0xAB, count: 100), [\.datagramsIn, \.malformedDatagrams], 0),
            ("another datagram version", badVersion, [\.datagramsIn, \.malformedDatagrams], 0),
            ("a header announcing no frames", noFrames, [\.datagramsIn, \.malformedDatagrams], 0),
            ("a frame that does not decode", Array(valid.prefix(Datagram.headerSize)) + [1, 0xFF, 0xFF, 0xFF, 0xFF],
             [\.datagramsIn, \.malformedFrames], 0),
            ("bytes after the announced frames", valid + [0, 0], [\.datagramsIn, \.messagesIn, \.malformedFrames], 1),
            ("fewer frames than announced", secondFrameMissing, [\.datagramsIn, \.messagesIn, \.malformedFrames], 1),
            ("an endpoint this worker does not host", datagram([beat(1)], to: 77), [\.datagramsIn, \.misaddressed], 0),
            ("another run's tag", datagram([beat(1)], runTag: RunTag.of(run: "run-6")), [\.datagramsIn, \.foreignRun], 0),
            ("no run's tag", datagram([beat(1)], runTag: RunTag.none), [\.datagramsIn, \.foreignRun], 0),
            ("longer than a receive slot", [UInt8](repeating: 0, count: 65_537), [\.oversizedDatagrams], 0),
        ]
        for (name, bytes, moved, heard) in cases {
            let role = ScriptedRole(0)
            let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5), runTag: runTag)
            embedded.start()
            var expected = embedded.statistics
            embedded.io.push(bytes, from: peerAddress(5))
            embedded.runTurn()

            expected.turns += 1
            if moved == [\.oversizedDatagrams] { expected.sleeps += 1 }    // nothing was received
            for counter in moved { expected[keyPath: counter] += 1 }
            XCTAssertEqual(embedded.statistics, expected, name)
            XCTAssertEqual(role.heard.count, heard, name)
        }
    }

    /// After garbage, the next good datagram is served as if nothing had happened.
    func testTheWorkerServesAfterGarbage() throws {
        let echo = ScriptedRole(0, onMessage: { _, message, sender, _ in [.send(message, to: sender)] })
        let embedded = EmbeddedWorker(roles: [echo], addresses: book(0, 5), runTag: runTag)
        embedded.start()
        var random = SplitMix64(seed: 12)
        for _ in 0 ..< 1_000 {
            let length = Int.random(in: 0 ... 120, using: &random)
            embedded.io.push((0 ..< length).map { _ in UInt8.random(in: 0 ... 255, using: &random) }, from: peerAddress(5))
        }
        embedded.io.push(datagram([beat(42)]), from: peerAddress(5))
        while embedded.io.pendingCount > 0 { embedded.runTurn() }

        let counters = embedded.statistics
        XCTAssertEqual(counters.datagramsIn, 1_001)
        XCTAssertEqual(counters.malformedDatagrams + counters.malformedFrames + counters.misaddressed + counters.foreignRun, 1_000)
        XCTAssertEqual(echo.heard.map { $0.message }, [beat(42)])
        XCTAssertEqual(try embedded.io.takeSent().map { try $0.messages() }, [[beat(42)]])
    }

    /// Only this run's datagrams reach the roles, and every datagram the worker sends carries its tag.
    func testTheRunTagAdmitsThisRunOnlyAndIsWrittenOnEverySend() throws {
        let echo = ScriptedRole(0, onMessage: { _, message, sender, _ in [.send(message, to: sender)] })
        let embedded = EmbeddedWorker(roles: [echo], addresses: book(0, 5), runTag: RunTag.of(run: "attempt-2"))
        embedded.start()
        for nonce in 0 ..< 3 { embedded.io.push([beat(UInt64(nonce))], from: Endpoint(5), to: Endpoint(0), runTag: RunTag.of(run: "attempt-1")) }
        embedded.io.push([beat(9)], from: Endpoint(5), to: Endpoint(0), runTag: RunTag.of(run: "attempt-2"))
        embedded.runTurn()

        XCTAssertEqual(echo.heard.map { $0.message }, [beat(9)])
        XCTAssertEqual(embedded.statistics.foreignRun, 3)
        XCTAssertEqual(try embedded.io.takeSent().map { try $0.header().runTag }, [RunTag.of(run: "attempt-2")])
    }

    /// The run tag is FNV-1a 64 of the run's name: pinned, since every daemon must derive the same.
    func testRunTagIsFNV1a64OfTheRunName() {
        XCTAssertEqual(RunTag.of(run: ""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(RunTag.of(run: "a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(RunTag.of(run: "foobar"), 0x8594_4171_F739_67E8)
        XCTAssertNotEqual(RunTag.of(run: "run-1"), RunTag.of(run: "run-2"))
    }

    /// A worker takes at most one batch per turn; the rest waits for the next turns.
    func testATurnReceivesAtMostOneBatch() {
        let role = ScriptedRole(0)
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0, 5), batch: 2)
        embedded.start()
        for nonce in 0 ..< 5 { embedded.io.push([beat(UInt64(nonce))], from: Endpoint(5), to: Endpoint(0)) }
        var heard: [Int] = []
        for _ in 0 ..< 3 {
            embedded.runTurn()
            heard.append(role.heard.count)
        }
        XCTAssertEqual(heard, [2, 4, 5])
    }
}
