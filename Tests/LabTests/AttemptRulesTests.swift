import Control
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Lab
#if canImport(Glibc)
import Glibc
#endif

/// Nothing false is stored, nothing hangs: the rule an attempt must pass to count as a
/// measurement, parameters every attempt would repeat, a node that stops answering.
@Suite struct MeasurementRuleTests {
    /// A client's per-interval completions (10 ms intervals from the origin).
    func client(_ endpoint: UInt32, _ completions: [UInt64]) -> ClientResults {
        ClientResults(endpoint: endpoint, group: 0, crashed: false, completed: completions.reduce(0, +), completedInWindow: 0,
                      retransmissions: 0, failovers: 0, latencyMicros: [], completions: completions, highest: [], numbers: [])
    }

    @Test func aClientCompletingThroughoutTheWindowPasses() {
        // 0.25 s warmup (25 intervals), 2 s window (200 intervals).
        let steady = client(5, Array(repeating: 40, count: 240))
        #expect(MeasurementRule.violation([steady], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2, faults: []) == nil)
    }

    /// `--concurrency 4096` past the admission window: 4096 operations at once, then only
    /// retransmissions. Its total is positive; it was stored as a success at 3,744 ops/s.
    @Test func aDeadlockAfterAFirstBurstFails() {
        var burst = Array(repeating: UInt64(0), count: 240)
        burst[30] = 4_096
        let reason = MeasurementRule.violation([client(7, burst)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2, faults: [])
        #expect(reason == "client e7 completed no operations from 0.50 to 1.00 s of the measured window (4096 in the window); "
            + "the run deadlocked or the client starved.")
    }

    @Test func aClientWithNothingInTheWindowFailsEvenWithCompletionsInWarmup() {
        var warmupOnly = Array(repeating: UInt64(0), count: 240)
        warmupOnly[3] = 100
        let reason = MeasurementRule.violation([client(9, warmupOnly)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2, faults: [])
        #expect(reason == "client e9 completed no operations in the measured window (100 in all); the run deadlocked or the client starved.")
    }

    @Test func oneStarvedClientAmongHealthyOnesFails() {
        let healthy = client(5, Array(repeating: 40, count: 240))
        var starved = Array(repeating: UInt64(40), count: 240)
        for i in 125 ..< 240 { starved[i] = 0 }
        let reason = MeasurementRule.violation([healthy, client(6, starved)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2,
                                               faults: [])
        #expect(reason?.hasPrefix("client e6 completed no operations from 1.00 to 1.50 s") == true)
    }

    /// A slow client that still progresses (one burst every 250 ms, as under retransmission
    /// backoff) is a poor measurement, not a false one.
    @Test func aSlowButProgressingClientPasses() {
        var bursts = Array(repeating: UInt64(0), count: 240)
        for i in stride(from: 25, to: 240, by: 25) { bursts[i] = 64 }
        #expect(MeasurementRule.violation([client(5, bursts)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2, faults: []) == nil)
    }

    @Test func longWindowsAreCheckedInTenths() {
        // 10 s window: parts of 1 s; a client stopped for the last 1.05 s fails.
        var stopped = Array(repeating: UInt64(40), count: 1_100)
        for i in 920 ..< 1_100 { stopped[i] = 0 }
        #expect(MeasurementRule.violation([client(5, stopped)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 10, faults: [])?
            .hasPrefix("client e5 completed no operations from 9.00 to 10.00 s") == true)
    }

    @Test func aStallDuringAFaultAndItsRecoveryIsExcused() {
        // Killed leader at 1 s: nothing completes from 1.0 to 1.6 s of the window.
        var stalled = Array(repeating: UInt64(40), count: 240)
        for i in 125 ..< 185 { stalled[i] = 0 }
        #expect(MeasurementRule.violation([client(5, stalled)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2,
                                          faults: [(start: 1, end: 1)]) == nil)
        // The same stall with no fault scheduled is a failure.
        #expect(MeasurementRule.violation([client(5, stalled)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2,
                                          faults: []) != nil)
        // And a stall that outlasts the fault's recovery allowance too.
        var longer = stalled
        for i in 185 ..< 240 { longer[i] = 0 }
        #expect(MeasurementRule.violation([client(5, longer)], intervalMillis: 10, warmupSeconds: 0.25, durationSeconds: 2,
                                          faults: [(start: 0.2, end: 0.2)]) != nil)
    }

    @Test func aWindowTooShortToMeasureIsRefusedWithItsFlag() {
        #expect(MeasurementRule.refusal(durationSeconds: 0.0001)
            == "--duration 0.0001 is shorter than the 0.5 s a measurement needs; measure for at least 0.5 s.")
        #expect(MeasurementRule.refusal(durationSeconds: .nan) != nil)
        #expect(MeasurementRule.refusal(durationSeconds: 0.5) == nil)
        #expect(MeasurementRule.refusal(durationSeconds: 3) == nil)
    }
}

/// A fake masond answering with `answer`, one per placed node, so a socket path names the node.
final class FakeDaemons: Sendable {
    final class Handler: ControlHandler {
        let answer: @Sendable (String) throws(RPCError) -> JSONValue
        init(_ answer: @escaping @Sendable (String) throws(RPCError) -> JSONValue) { self.answer = answer }
        func handle(method: String, params: JSONValue?) throws(RPCError) -> JSONValue { try answer(method) }
    }

    let folder: String
    let servers: [ControlServer]

    init(count: Int, _ answer: @escaping @Sendable (String) throws(RPCError) -> JSONValue) throws {
        var template = Array("/tmp/masonlab-fake-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        let handler = Handler(answer)
        self.folder = folder
        servers = (0 ..< count).map { ControlServer(socketPath: "\(folder)/n\($0).sock", handler: handler) }
        for server in servers { try server.start() }
    }

    func controls(_ deadlines: ControlClient.Deadlines = .init()) throws -> [ControlClient] {
        try servers.map { try ControlClient(socketPath: $0.socketPath, deadlines: deadlines) }
    }

    func stop() {
        for server in servers { server.stop() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A node hosting nothing, as `roles.status`, `roles.stop` and `node.reset` answer.
    static func emptyStatus() throws(RPCError) -> JSONValue { try RPC.encode(RolesStatus(run: nil, roles: [], workers: [])) }
}

@Suite struct MasonRunnerFailureTests {
    func placement() throws -> (MasonPlacement, RunSpec) {
        var spec = RunSpec()
        spec.options.clients = 1
        spec.duration = 1
        return (try MasonPlacement(spec.options, nodes: LocalTestbed.slots(for: spec.options)), spec)
    }

    /// `--max-log-size 0` reached a daemon: every attempt would be refused the same way.
    @Test func parametersADaemonRefusesAreThrownNotRetried() throws {
        let (placement, spec) = try placement()
        let daemons = try FakeDaemons(count: placement.nodes.count) { method throws(RPCError) -> JSONValue in
            if method == "roles.start" { throw .invalidParams("cluster.proxy.maxLogSize: must be at least 1 (got 0).") }
            return try FakeDaemons.emptyStatus()
        }
        defer { daemons.stop() }
        let runner = MasonRunner(definition: .mason, controls: try daemons.controls(), placement: placement, spec: spec)
        let refused = #expect(throws: RunRefused.self) { try runner.attempt(1) }
        #expect(refused?.message == "cluster.proxy.maxLogSize: must be at least 1 (got 0).")
        #expect(refused?.description.hasSuffix("refused the run's parameters: cluster.proxy.maxLogSize: must be at least 1 (got 0).") == true)
        #expect(refused?.attempt.outcome.reason?.contains("roles.start refused the run") == true)
    }

    /// A node that stops answering (paused, hung) fails the attempt within the deadline, named.
    @Test func aNodeThatDoesNotAnswerFailsTheAttemptNamingNodeAndMethod() throws {
        let (placement, spec) = try placement()
        let daemons = try FakeDaemons(count: placement.nodes.count) { method throws(RPCError) -> JSONValue in
            switch method {
            case "roles.start": return try RPC.encode(StartRolesResult(workers: []))
            case "roles.status":
                Thread.sleep(forTimeInterval: 1.5)
                return try FakeDaemons.emptyStatus()
            default: return try FakeDaemons.emptyStatus()
            }
        }
        defer { daemons.stop() }
        let runner = MasonRunner(definition: .mason, controls: try daemons.controls(.init(standard: .milliseconds(300))), placement: placement, spec: spec)
        let started = Date()
        let record = try runner.attempt(1)
        #expect(Date().timeIntervalSince(started) < 5)
        let reason = try #require(record.outcome.reason)
        let names = placement.serverNodes.map { placement.nodes[$0].slot.name }
        #expect(names.contains { reason.hasPrefix("\($0): roles.status did not answer within 0.3 s") }, "\(reason)")
        #expect(record.nodes.isEmpty)
    }
}

@Suite struct LocalTestbedHousekeepingTests {
    @Test func aSecondLocalTestbedIsToldItIsBusyNamingTheHolder() throws {
        let path = NSTemporaryDirectory() + "masonlab-lock-test-\(UUID().uuidString)"
        defer { unlink(path) }
        let first = try LocalTestbedLock(path: path)
        let error = #expect(throws: TestbedBusy.self) { try LocalTestbedLock(path: path) }
        #expect(error?.description == "the local testbed is busy: another masonlab (pid \(getpid())) is running on 127.0.1.x; wait for it or stop it.")
        withExtendedLifetime(first) {}
        // Released with its holder.
        _ = consume first
        #expect(throws: Never.self) { _ = try LocalTestbedLock(path: path) }
    }

    @Test func foldersOfMasonlabsThatDiedAreRemovedOthersKept() throws {
        let parent = URL(fileURLWithPath: NSTemporaryDirectory() + "masonlab-parent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        // A pid that is certainly gone: a child that has exited and been reaped.
        let child = try RunningChild(ChildCommand("/bin/true"))
        _ = try #require(child.wait(timeout: 10))
        let dead = parent.appendingPathComponent("masonlab-local-\(child.pid)-42")
        let alive = parent.appendingPathComponent("masonlab-local-\(getpid())-43")
        let other = parent.appendingPathComponent("masonlab-results-\(child.pid)")
        for folder in [dead, alive, other] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        LocalDaemons.removeAbandonedFolders(in: parent)
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(FileManager.default.fileExists(atPath: alive.path))
        #expect(FileManager.default.fileExists(atPath: other.path))
    }
}

@Suite struct LocalDaemonsStartTests {
    /// The masond built beside the test bundle.
    static var masond: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("masond")
        if !FileManager.default.fileExists(atPath: url.path) {
            url = url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("masond")
        }
        return url
    }

    /// A TMPDIR so long that the sockets do not fit in sun_path: masond's own sentence is shown.
    @Test func aDaemonThatCannotStartIsShownWithItsOwnError() throws {
        let parent = URL(fileURLWithPath: "/tmp/" + String(repeating: "d", count: 100))
        defer { try? FileManager.default.removeItem(at: parent) }
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let error = #expect(throws: LabError.self) { try LocalDaemons(count: 1, masond: Self.masond, parent: parent) }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("masond for 127.0.1.1 exited at start (status "), "\(text)")
        #expect(text.contains("longer than 107 bytes"), "\(text)")
        // Its folder went with it.
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []).isEmpty)
    }
}
