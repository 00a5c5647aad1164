import Control
import Foundation
import TestSupport
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Gray failures against real `masond serve` processes: a paused daemon fails a call within its
/// deadline instead of stalling masonlab, and a drain holds up no other request.
final class GrayFailureTests: XCTestCase {
    private var daemons: [MasondProcess] = []
    private var folder: URL!

    override func setUpWithError() throws {
        folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("masond-gray-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for d in daemons {
            kill(d.child.pid, SIGCONT)
            d.kill9()
        }
        try? FileManager.default.removeItem(at: folder)
        daemons = []
    }

    /// A masond stopped with SIGSTOP (a hung node): the call fails within its deadline, naming the
    /// method, and the connection is closed; once continued, a new connection works.
    func testAPausedMasondFailsTheCallWithinItsDeadline() throws {
        let daemon = try MasondProcess(address: "127.0.1.1", folder: folder)
        daemons = [daemon]
        _ = try daemon.connect()
        let control = try ControlClient(socketPath: daemon.socketPath, deadlines: .init(standard: .milliseconds(500)))
        let _: RolesStatus = try control.call("roles.status", params: EndpointsRequest())

        XCTAssertEqual(kill(daemon.child.pid, SIGSTOP), 0)
        // The signal is asynchronous: wait until the kernel reports the process stopped.
        try Polling.until("the daemon stopped", within: 10) { Self.isStopped(daemon.child.pid) }
        let started = Date()
        XCTAssertThrowsError(try control.call("roles.status", params: EndpointsRequest()) as RolesStatus) { error in
            XCTAssertEqual(error as? ControlError, .noAnswer(peer: daemon.socketPath, method: "roles.status", seconds: 0.5))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertThrowsError(try control.call("roles.status", params: EndpointsRequest()) as RolesStatus) { error in
            XCTAssertEqual(error as? ControlError, .connectionClosed(peer: daemon.socketPath))
        }

        XCTAssertEqual(kill(daemon.child.pid, SIGCONT), 0)
        let again = try ControlClient(socketPath: daemon.socketPath)
        let status: RolesStatus = try again.call("roles.status", params: EndpointsRequest())
        XCTAssertTrue(status.roles.isEmpty)
    }

    /// Whether /proc says `pid` is stopped (state T).
    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("T")
    }

    /// roles.stop with a drain used to hold the daemon's lock for the whole drain: every other
    /// call on that daemon waited. A client whose servers never answer cannot drain, so its stop
    /// takes the whole drain; a roles.status meanwhile must answer at once.
    func testAStatusDuringADrainAnswersAtOnce() throws {
        let daemon = try MasondProcess(address: "127.0.1.1", folder: folder)
        daemons = [daemon]
        let control = try daemon.connect()
        let base = UInt16.random(in: 20_000 ... 50_000)
        // Servers on addresses nobody serves: the client's operations stay outstanding.
        let cluster = MasonClusterSpec(spaces: 1, sequencer: 0, backup: 1, groups: [[2, 3, 4]],
                                       clients: [ClientSpec(endpoint: 10, group: 0)], concurrency: 4)
        let book = [0, 1, 2, 3, 4, 10].map { PeerSpec(endpoint: UInt32($0), address: "127.0.1.\($0 == 10 ? 1 : 9):\(base + UInt16($0))") }
        let request = StartRolesRequest(system: .mason, run: "drain", cluster: cluster,
                                        workers: [WorkerSpec(address: ":\(base + 10)", endpoints: [10])], addressBook: book, intervalMillis: 10)
        let _: StartRolesResult = try control.call("roles.start", params: request)

        let stopping = DispatchSemaphore(value: 0)
        let stopper = try ControlClient(socketPath: daemon.socketPath)
        let outcome = Mutex<Result<RolesStatus, any Error>?>(nil)
        let stopStarted = Date()
        Thread.detachNewThread {
            let result = Result { () throws -> RolesStatus in try stopper.call("roles.stop", params: EndpointsRequest(drainMillis: 3_000)) }
            outcome.withLock { $0 = result }
            stopping.signal()
        }
        Thread.sleep(forTimeInterval: 0.3)
        let asked = Date()
        let during: RolesStatus = try control.call("roles.status", params: EndpointsRequest())
        XCTAssertLessThan(Date().timeIntervalSince(asked), 1, "roles.status waited for the drain")
        XCTAssertEqual(during.roles.first { $0.endpoint == 10 }?.state, .running)

        XCTAssertEqual(stopping.wait(timeout: .now() + 20), .success)
        let stopped = try XCTUnwrap(outcome.withLock { $0 }).get()
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(stopStarted), 2.9)
        XCTAssertEqual(stopped.roles.first { $0.endpoint == 10 }?.state, .stopped)
    }
}
