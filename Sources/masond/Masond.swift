import ArgumentParser
import Control
import Daemon
import Foundation

/// masond: the daemon on every node. `serve` hosts Mason roles on transport workers under a
/// JSON-RPC control socket; `dial-stdio` bridges stdin/stdout to that socket (masonlab reaches
/// remote daemons through SSH this way); `info` prints what the daemon reports about this node.
@main
struct Masond: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "masond",
        abstract: "The Mason node daemon: hosts sequencer, backup, proxy and client roles over UDP or DPDK.",
        discussion: """
        Control API: JSON-RPC 2.0, one JSON object per line, over a Unix socket (mode 0600).
        Methods: \(Daemon.methods.joined(separator: ", ")).
        The default socket is \(DaemonService.defaultSocketPath) (MASOND_SOCKET overrides it).
        """,
        version: Daemon.version,
        subcommands: [Serve.self, DialStdioCommand.self, Info.self]
    )
}

struct SocketOption: ParsableArguments {
    @Option(name: .long, help: "The control socket's path.")
    var socket: String = DaemonService.defaultSocketPath
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon in the foreground until SIGTERM or SIGINT.",
        discussion: "A second daemon on the same socket refuses to start. SIGTERM stops every role and removes the socket."
    )

    @OptionGroup var socket: SocketOption

    @Option(name: .long, help: ArgumentHelp("DPDK EAL arguments; DPDK is initialised once, at start.",
                                            valueName: "EAL ARGS"))
    var dpdk: String?

    @Option(name: .long, help: "This node's data-plane IPv4 address (workers given as ':port' bind to it).")
    var address: String = "127.0.0.1"

    @Option(name: .long, help: ArgumentHelp("Stop when the process that started this daemon ends (the local testbed passes its pid).",
                                            valueName: "PID"))
    var parent: Int32?

    func validate() throws {
        guard address.split(separator: ".").count == 4, address.split(separator: ".").allSatisfy({ UInt8($0) != nil }) else {
            throw ValidationError("--address: '\(address)' is not an IPv4 address (a.b.c.d).")
        }
    }

    func run() throws {
        do {
            try DaemonService.serve(socketPath: socket.socket, address: address, dpdkArguments: dpdk, parent: parent)
        } catch {
            FileHandle.standardError.write(Data("masond: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct DialStdioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dial-stdio",
        abstract: "Bridge stdin/stdout to the daemon's control socket (for SSH: ssh node masond dial-stdio)."
    )

    @OptionGroup var socket: SocketOption

    func run() throws {
        do {
            let status = try DialStdio.run(socketPath: socket.socket)
            if status != 0 { throw ExitCode(status) }
        } catch let error as ControlError {
            FileHandle.standardError.write(Data("masond dial-stdio: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print what node.info reports about this node.")

    @Flag(name: .long, help: "One JSON document instead of the table.")
    var json = false

    func run() throws {
        let info = NodeInfo.gather(dpdk: nil, version: Daemon.version)
        print(json ? try info.jsonString() : info.table)
    }
}
