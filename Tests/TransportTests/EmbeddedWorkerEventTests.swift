import Protocols
import Transport
import XCTest

/// What a worker's roles report reaches the sink with the role's index and the turn's instant.
final class EmbeddedWorkerEventTests: XCTestCase {
    func testReportsReachTheSinkWithTheirRoleAndInstant() {
        var reports: [(Event, Int, Instant)] = []
        let note: (ScriptedRole, Message, Endpoint, Instant) -> [Output] = { role, _, _, _ in
            [.report(.note(role: role.endpoint, description: "heard"))]
        }
        let a = ScriptedRole(3, onStart: [.report(.note(role: Endpoint(3), description: "started"))])
        let b = ScriptedRole(4, onMessage: note)
        let clock = ManualClock()
        let embedded = EmbeddedWorker(roles: [a, b], addresses: book(3, 4), clock: clock) { event, role, at in
            reports.append((event, role, at))
        }
        let started = clock.now()
        embedded.start()
        embedded.io.push([beat(1)], from: Endpoint(5), to: Endpoint(4))
        embedded.advance(nanoseconds: 250)

        XCTAssertEqual(reports.map(\.0), [.note(role: Endpoint(3), description: "started"), .note(role: Endpoint(4), description: "heard")])
        XCTAssertEqual(reports.map(\.1), [0, 1])
        XCTAssertEqual(reports.map(\.2), [started, Instant(nanoseconds: started.nanoseconds + 250)])
    }
}
