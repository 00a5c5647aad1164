import Foundation
import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

/// `masond dial-stdio`, with pipes standing in for stdin and stdout.
@Suite struct DialStdioTests {
    /// Pipes for the bridge: it reads `input[0]` and writes `output[1]`; the test holds the other ends.
    struct Pipes {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]

        init() {
            #expect(pipe(&input) == 0 && pipe(&output) == 0)
        }

        func closeAll() {
            for fd in input + output { close(fd) }
        }
    }

    func bridge(_ pipes: Pipes, to path: String) -> Background<DialStdio.Outcome?> {
        let (input, output) = (pipes.input[0], pipes.output[1])
        return Background { try? DialStdio.bridge(input: input, output: output, socketPath: path) }
    }

    @Test func forwardsEverythingAndEndsWhenInputEnds() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let pipes = Pipes()
        defer { pipes.closeAll() }
        let bridged = bridge(pipes, to: fixture.path)
        // Two requests in one write, then end of input at once: both must still be answered.
        let requests = #"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":2}}"# + "\n"
            + #"{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":3,"b":4}}"# + "\n"
        #expect(Descriptor.writeAll(pipes.input[1], Array(requests.utf8), isSocket: false) == 0)
        close(pipes.input[1])
        #expect(bridged.value() == .some(.inputEnded))

        let reader = LineReader(fd: pipes.output[0])
        close(pipes.output[1])  // the bridge is done with it; now the reader sees the end
        var sums: [JSONValue] = []
        while case let .line(line) = reader.next() { sums.append(try JSONParser.parse(line)["result"] ?? .null) }
        #expect(sums == [.object(["sum": .number("3")]), .object(["sum": .number("7")])])
    }

    @Test func aClientOverTheBridgeCallsTheDaemon() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let pipes = Pipes()
        defer { close(pipes.input[0]); close(pipes.output[1]) }
        let bridged = bridge(pipes, to: fixture.path)
        let client = ControlClient(reading: pipes.output[0], writing: pipes.input[1], peer: "dial-stdio", ownsDescriptors: true)
        #expect(try client.call("add", params: AddParams(a: .max, b: 0), as: Sum.self) == Sum(sum: .max))
        #expect(throws: RPCError.self) { try client.call(method: "fail") }
        client.close()
        #expect(bridged.value() == .some(.inputEnded))
    }

    @Test func endsWhenTheDaemonCloses() throws {
        let fixture = try ServerFixture()
        defer { fixture.directory.remove() }
        let pipes = Pipes()
        defer { pipes.closeAll() }
        let bridged = bridge(pipes, to: fixture.path)
        // Wait until the bridge is connected: a request answered through it.
        #expect(Descriptor.writeAll(pipes.input[1], Array((#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[]}"# + "\n").utf8), isSocket: false) == 0)
        let reader = LineReader(fd: pipes.output[0])
        guard case .line = reader.next() else { Issue.record("no answer through the bridge"); return }
        fixture.server.stop()
        #expect(bridged.value() == .some(.daemonClosed))
    }

    @Test func endsWhenItsOutputIsGone() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let pipes = Pipes()
        defer { close(pipes.input[0]); close(pipes.input[1]); close(pipes.output[1]) }
        close(pipes.output[0])  // nobody reads the answers
        let bridged = bridge(pipes, to: fixture.path)
        #expect(Descriptor.writeAll(pipes.input[1], Array((#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[]}"# + "\n").utf8), isSocket: false) == 0)
        #expect(bridged.value() == .some(.outputClosed))
    }

    @Test func refusesWhenNoDaemonListens() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("masond.sock")
        #expect(throws: ControlError.noDaemon(path: path)) { try DialStdio.bridge(input: -1, output: -1, socketPath: path) }
    }
}
