import Protocols
import Transport
import XCTest

/// A crashed role behaves as a dead process: it hears nothing, ticks never, sends nothing; its
/// neighbours on the same worker carry on.
final class EmbeddedWorkerCrashTests: XCTestCase {
    func testACrashedRoleIsDeafAndItsTimerNeverFiresWhileItsNeighbourCarriesOn() {
        let clock = ManualClock()
        let deadline = Instant(nanoseconds: clock.now().nanoseconds + 5_000_000)
        let echo: (ScriptedRole, Message, Endpoint, Instant) -> [Output] = { _, message, sender, _ in [.send(message, to: sender)] }
        let crashed = ScriptedRole(0, deadline: deadline, onMessage: echo)
        let alive = ScriptedRole(1, deadline: deadline, onMessage: echo)
        let embedded = EmbeddedWorker(roles: [crashed, alive], addresses: book(0, 1, 5), clock: clock)
        embedded.start()

        XCTAssertTrue(embedded.crash(Endpoint(0)))
        XCTAssertFalse(embedded.crash(Endpoint(9)), "endpoint 9 is not hosted here")
        XCTAssertTrue(embedded.isCrashed(Endpoint(0)))
        XCTAssertFalse(embedded.isCrashed(Endpoint(1)))

        embedded.io.push([beat(1), beat(2)], from: Endpoint(5), to: Endpoint(0))
        embedded.io.push([beat(3)], from: Endpoint(5), to: Endpoint(1))
        embedded.advance(nanoseconds: 5_000_000)

        XCTAssertTrue(crashed.heard.isEmpty)
        XCTAssertEqual(crashed.ticks, [])
        XCTAssertEqual(alive.heard.map { $0.message }, [beat(3)])
        XCTAssertEqual(alive.ticks, [deadline])
        let sent = embedded.io.takeSent()
        XCTAssertEqual(try sent.map { try $0.header().source }, [Endpoint(1)], "only the live role answered")
        let counters = embedded.statistics
        XCTAssertEqual(counters.toCrashedRoles, 1, "one datagram, counted once whatever it carries")
        XCTAssertEqual(counters.messagesIn, 1)
        XCTAssertEqual(counters.datagramsIn, 2)
    }

    /// Crashing twice changes nothing; the timer stays disarmed (the worker sleeps without a limit).
    func testACrashedRolesTimerIsDisarmed() {
        let clock = ManualClock()
        let role = ScriptedRole(0, deadline: Instant(nanoseconds: clock.now().nanoseconds + 1_000))
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0), clock: clock)
        embedded.start()
        XCTAssertTrue(embedded.crash(Endpoint(0)))
        XCTAssertTrue(embedded.crash(Endpoint(0)))

        embedded.runTurn()
        XCTAssertEqual(embedded.io.waits, [nil])
        embedded.advance(nanoseconds: 1_000_000)
        XCTAssertEqual(role.ticks, [])
    }
}
