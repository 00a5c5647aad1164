import Protocols
import Transport
import XCTest

private let ms: UInt64 = 1_000_000

/// When a worker fires its roles' timers and how long it sleeps, on a clock the test moves.
final class EmbeddedWorkerTimerTests: XCTestCase {

    func testATimerFiresAtItsInstantNotBefore() {
        let clock = ManualClock()
        let deadline = Instant(nanoseconds: clock.now().nanoseconds + 10 * ms)
        let role = ScriptedRole(0, deadline: deadline)
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0), clock: clock)
        embedded.start()

        embedded.advance(nanoseconds: 10 * ms - 1)
        XCTAssertEqual(role.ticks, [])
        XCTAssertEqual(embedded.io.waits.last, 1, "the worker sleeps exactly until the deadline")
        embedded.advance(nanoseconds: 1)
        XCTAssertEqual(role.ticks, [deadline])
        embedded.advance(nanoseconds: 10 * ms)
        XCTAssertEqual(role.ticks, [deadline], "a tick that disarms the timer is the last")
        XCTAssertEqual(embedded.io.waits.last, .some(nil), "no timer armed: the worker sleeps without a limit")
    }

    /// A message moves the timer (later, then earlier): it fires once, at the new instant; the old
    /// instant passes without a tick. The clock walks a millisecond per turn to well past both.
    func testAReArmedTimerReplacesTheOldOne() {
        for (armed, rearmed) in [(10 * ms, 20 * ms), (20 * ms, 5 * ms)] {
            let clock = ManualClock()
            let start = clock.now().nanoseconds
            let role = ScriptedRole(0, deadline: Instant(nanoseconds: start + armed), onMessage: { role, _, _, now in
                role.nextDeadline = Instant(nanoseconds: now.nanoseconds + rearmed)
                return []
            })
            let embedded = EmbeddedWorker(roles: [role], addresses: book(0), clock: clock)
            embedded.start()

            embedded.io.push([beat(1)], from: Endpoint(5), to: Endpoint(0))
            embedded.runTurn()
            for _ in 0 ..< 30 { embedded.advance(nanoseconds: ms) }
            XCTAssertEqual(role.ticks, [Instant(nanoseconds: start + rearmed)], "armed at +\(armed) ns, re-armed at +\(rearmed) ns")
        }
    }

    /// A tick that re-arms its timer at or before now would spin the loop: the worker counts it
    /// and holds the timer back 100 µs.
    func testATimerStillDueAfterItsTickIsHeldBack100Microseconds() {
        let clock = ManualClock()
        let deadline = Instant(nanoseconds: clock.now().nanoseconds + ms)
        let role = ScriptedRole(0, deadline: deadline, onTick: { role, now in
            role.nextDeadline = now
            return []
        })
        let embedded = EmbeddedWorker(roles: [role], addresses: book(0), clock: clock)
        embedded.start()

        embedded.advance(nanoseconds: ms)
        XCTAssertEqual(embedded.statistics.timerAnomalies, 1)
        embedded.advance(nanoseconds: 99_999)
        XCTAssertEqual(role.ticks, [deadline])
        embedded.advance(nanoseconds: 1)
        XCTAssertEqual(role.ticks, [deadline, Instant(nanoseconds: deadline.nanoseconds + 100_000)])
        XCTAssertEqual(embedded.statistics.timerAnomalies, 2)
    }

    /// Two roles due in one turn tick in deadline order; the idle worker sleeps until the earliest.
    func testDueTimersFireInDeadlineOrderAndTheWorkerSleepsUntilTheEarliest() {
        let clock = ManualClock()
        let start = clock.now().nanoseconds
        var order: [UInt32] = []
        let log: (ScriptedRole, Instant) -> [Output] = { role, _ in
            order.append(role.endpoint.id)
            role.nextDeadline = nil
            return []
        }
        let late = ScriptedRole(0, deadline: Instant(nanoseconds: start + 7 * ms), onTick: log)
        let early = ScriptedRole(1, deadline: Instant(nanoseconds: start + 3 * ms), onTick: log)
        let embedded = EmbeddedWorker(roles: [late, early], addresses: book(0, 1), clock: clock)
        embedded.start()

        embedded.runTurn()
        XCTAssertEqual(embedded.io.waits, [3 * ms])
        embedded.advance(nanoseconds: 10 * ms)
        XCTAssertEqual(order, [1, 0])
        XCTAssertEqual(embedded.io.waits, [3 * ms, nil], "with both timers fired and disarmed, no limit")
    }

    /// A turn that received datagrams goes round again at once, without sleeping.
    func testATurnThatReceivedDoesNotSleep() {
        let embedded = EmbeddedWorker(roles: [ScriptedRole(0)], addresses: book(0))
        embedded.start()
        embedded.io.push([beat(1)], from: Endpoint(5), to: Endpoint(0))
        embedded.runTurn()
        XCTAssertEqual(embedded.io.waits.count, 0)
        embedded.runTurn()
        XCTAssertEqual(embedded.io.waits.count, 1)
        let counters = embedded.statistics
        XCTAssertEqual(counters.turns, 2)
        XCTAssertEqual(counters.sleeps, 1)
    }
}
