import Foundation
import Synchronization
import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

/// `masond dial-stdio`, with pipes standing in for stdin and stdout.
@Suite struct DialStdioTests {
    /// Pipes for the bridge: it reads `input[0]` and writes `output[1]`; the test holds the other
    /// ends. The pipes own all four descriptors and close each once, whoever asks first.
    final class Pipes: Sendable {
        let input: [Int32]
        let output: [Int32]
        private let open: Mutex<Set<Int32>>

        init() {
            var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
            #expect(pipe(&input) == 0 && pipe(&output) == 0)
            (self.input, self.output) = (input, output)
            open = Mutex(Set((input + output).filter { $0 >= 0 }))
        }

        /// Closes `fd` (one of the four) unless it is closed already.
        func close(_ fd: Int32) {
            if open.withLock({ $0.remove(fd) != nil }) { Glibc.close(fd) }
        }

        /// Closes the test's ends: the bridge sees the end of its input, and its writes fail.
        func closeTestEnds() {
            close(input[1])
            close(output[0])
        }

        /// Closes the bridge's ends; only once the bridge has returned, so no number it still
        /// uses can be reused under it.
        func closeBridgeEnds() {
            close(input[0])
            close(output[1])
        }
    }

    /// A bridge run on a thread of its own, and its guard: should the test still run after a
    /// minute, the daemon is stopped (which ends the bridge) and then the bridge's output is
    /// closed, so whatever the test waits for fails instead of hanging.
    struct Bridge {
        let outcome: Background<DialStdio.Outcome?>
        let watchdog: Watchdog
        let pipes: Pipes

        init(_ pipes: Pipes, to fixture: ServerFixture) {
            let (input, output, path) = (pipes.input[0], pipes.output[1], fixture.path)
            let outcome = Background { try? DialStdio.bridge(input: input, output: output, socketPath: path) }
            let server = fixture.server
            watchdog = Watchdog {
                server.stop()
                if outcome.value() != nil { pipes.closeBridgeEnds() }
            }
            (self.outcome, self.pipes) = (outcome, pipes)
        }

        /// How the bridge ended, or nil if it is still running after 10 seconds.
        func value() -> DialStdio.Outcome?? { outcome.value() }

        /// Ends the test's part: closes the test's ends, waits for the bridge, closes its ends.
        /// A bridge still running keeps its descriptors open (a leak, recorded as a failure).
        func finish() {
            watchdog.finish()
            pipes.closeTestEnds()
            if outcome.value() != nil {
                pipes.closeBridgeEnds()
            } else {
                Issue.record("the bridge did not end; its descriptors are left open")
            }
        }
    }

    /// Writes `requests` into a bridge at once, ends its input, and returns the `result` of every
    /// response line the bridge forwarded before it ended.
    func results(bridging requests: String) throws -> [JSONValue]? {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let pipes = Pipes()
        let bridge = Bridge(pipes, to: fixture)
        defer { bridge.finish() }
        #expect(Descriptor.writeAll(pipes.input[1], Array(requests.utf8), isSocket: false) == 0)
        pipes.close(pipes.input[1])
        guard bridge.value() == .some(.inputEnded) else {
            Issue.record("the bridge did not end with its input")
            return nil
        }
        let reader = LineReader(fd: pipes.output[0])
        pipes.close(pipes.output[1])  // the bridge is done with it; now the reader sees the end
        var results: [JSONValue] = []
        while case let .line(line) = reader.next() { results.append(try JSONParser.parse(line)["result"] ?? .null) }
        return results
    }

    @Test func forwardsEverythingAndEndsWhenInputEnds() throws {
        // Two requests in one write, then end of input at once: both must still be answered.
        let requests = #"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":2}}"# + "\n"
            + #"{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":3,"b":4}}"# + "\n"
        #expect(try results(bridging: requests) == [.object(["sum": .number("3")]), .object(["sum": .number("7")])])
    }

    @Test func aLastRequestWithoutItsNewlineIsAnsweredNotDropped() throws {
        // `printf '...' | masond dial-stdio`: the input ends the line.
        let requests = #"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":2}}"# + "\n"
            + #"{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":3,"b":4}}"#
        #expect(try results(bridging: requests) == [.object(["sum": .number("3")]), .object(["sum": .number("7")])])
    }

    @Test func aClientOverTheBridgeCallsTheDaemon() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let pipes = Pipes()
        let bridge = Bridge(pipes, to: fixture)
        defer { bridge.finish() }
        // The pipes own the descriptors; the client only uses them.
        let client = ControlClient(reading: pipes.output[0], writing: pipes.input[1], peer: "dial-stdio", ownsDescriptors: false)
        #expect(try client.call("add", params: AddParams(a: .max, b: 0), as: Sum.self) == Sum(sum: .max))
        #expect(throws: RPCError.self) { try client.call(method: "fail") }
        client.close()
        pipes.close(pipes.input[1])
        #expect(bridge.value() == .some(.inputEnded))
    }

    @Test func endsWhenTheDaemonCloses() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let pipes = Pipes()
        let bridge = Bridge(pipes, to: fixture)
        defer { bridge.finish() }
        // Wait until the bridge is connected: a request answered through it.
        #expect(Descriptor.writeAll(pipes.input[1], Array((#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[]}"# + "\n").utf8), isSocket: false) == 0)
        let reader = LineReader(fd: pipes.output[0])
        guard case .line = reader.next() else { Issue.record("no answer through the bridge"); return }
        fixture.server.stop()
        #expect(bridge.value() == .some(.daemonClosed))
    }

    @Test func endsWhenItsOutputIsGone() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let pipes = Pipes()
        pipes.close(pipes.output[0])  // nobody reads the answers
        let bridge = Bridge(pipes, to: fixture)
        defer { bridge.finish() }
        #expect(Descriptor.writeAll(pipes.input[1], Array((#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[]}"# + "\n").utf8), isSocket: false) == 0)
        #expect(bridge.value() == .some(.outputClosed))
    }

    @Test func refusesWhenNoDaemonListens() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("masond.sock")
        #expect(throws: ControlError.noDaemon(path: path)) { try DialStdio.bridge(input: -1, output: -1, socketPath: path) }
    }
}
