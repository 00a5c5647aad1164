import ArgumentParser
import Control
import Daemon
import Foundation

/// masond: the daemon on every node. `serve` hosts Mason roles on transport workers under a
/// JSON-RPC control socket; `dial-stdio` bridges stdin/stdout to that socket (masonlab reaches
/// remote daemons through SSH this way); `info` prints what the daemon reports about this node;
/// `prepare` readies the node for DPDK and writes the config `serve --config` reads.
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
        subcommands: [Serve.self, DialStdioCommand.self, Info.self, Prepare.self]
    )

    /// ArgumentParser's own main, except that bad flags exit 2 (CLI.md's status for bad usage, as
    /// masonlab's) instead of 64.
    static func main() {
        do {
            var command = try parseAsRoot(NegativeNumberArguments.attach(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct SocketOption: ParsableArguments {
    @Option(name: .long, help: "The control socket's path.")
    var socket: String = DaemonService.defaultSocketPath
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon in the foreground until SIGTERM or SIGINT.",
        discussion: """
        A second daemon on the same socket refuses to start. SIGTERM stops every role and removes the socket.
        With --config, the address and DPDK arguments come from the file `masond prepare` wrote,
        unless --address or --dpdk are given too.
        """
    )

    @OptionGroup var socket: SocketOption

    @Option(name: .long, help: ArgumentHelp("DPDK EAL arguments; DPDK is initialised once, at start.",
                                            valueName: "EAL ARGS"))
    var dpdk: String?

    @Option(name: .long, help: "This node's data-plane IPv4 address (workers given as ':port' bind to it; default 127.0.0.1).")
    var address: String?

    @Option(name: .long, help: ArgumentHelp("A serve config written by masond prepare (\(ServeConfig.defaultPath)).",
                                            valueName: "PATH"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Stop when the process that started this daemon ends (the local testbed passes its pid).",
                                            valueName: "PID"))
    var parent: Int32?

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp(
        "Close a control connection that sends no request for this many seconds, unless roles are running.", valueName: "SECONDS"))
    var idleTimeoutSeconds: Int = Int(ControlServer.defaultIdleTimeout.components.seconds)

    func validate() throws {
        if let parent, parent < 1 { throw ValidationError("--parent must be a process id, 1...\(Int32.max) (got \(parent)).") }
        guard (1 ... 86_400).contains(idleTimeoutSeconds) else {
            throw ValidationError("--idle-timeout must be 1...86400 seconds (got \(idleTimeoutSeconds)).")
        }
        if let address, IPv4Network.parse(address) == nil {
            throw ValidationError("--address: '\(address)' is not an IPv4 address (a.b.c.d).")
        }
    }

    func run() throws {
        do {
            let file = try config.map { try ServeConfig.load(path: $0) }
            let settings = ServeSettings(config: file, address: address, dpdkArguments: dpdk)
            try DaemonService.serve(socketPath: socket.socket, address: settings.address,
                                    dpdkArguments: settings.dpdkArguments, parent: parent, idleTimeout: .seconds(idleTimeoutSeconds))
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

struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ready this node for DPDK (hugepages, vfio-pci, the experiment NIC's binding) and write the serve config.",
        discussion: """
        Idempotent: each step reads the current state, changes only what differs and reads it back, so a
        second run changes nothing. Needs root unless --dry-run. Exit status: 0 when every step succeeded
        (always, with --dry-run), 1 when a step failed (the report is still printed), 2 for bad flags.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Hugepages of the default size to reserve on each NUMA node; 0 leaves hugepages alone.",
                                            valueName: "N"))
    var hugepages: Int = 2048

    @Option(name: .customLong("experiment-net"), help: ArgumentHelp("The experiment network; the interface holding an address in it is used.",
                                                                     valueName: "CIDR"))
    var experimentNet: String = IPv4Network.emulabExperiment.description

    @Flag(name: .customLong("no-bind"), help: "Leave the experiment NIC with its kernel driver (roles then use kernel UDP).")
    var noBind = false

    @Flag(name: .customLong("af-packet"), help: "Leave the experiment NIC with the kernel and drive it through DPDK's af_packet driver (for NICs vfio-pci cannot take: a VM's, a veth); slower than vfio-pci.")
    var afPacket = false

    @Option(name: .long, help: ArgumentHelp("The serve config to write.", valueName: "PATH"))
    var config: String = ServeConfig.defaultPath

    @Flag(name: .customLong("dry-run"), help: "Report what would be written or run; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "One JSON report (PrepareReport) instead of one line per step.")
    var json = false

    func validate() throws {
        guard PrepareReport.hugepagesPerNode.contains(hugepages) else {
            throw ValidationError("--hugepages: \(hugepages) is not in \(PrepareReport.hugepagesPerNode).")
        }
        guard IPv4Network(experimentNet) != nil else {
            throw ValidationError("--experiment-net: '\(experimentNet)' is not an IPv4 network in CIDR notation (a.b.c.d/n).")
        }
        if afPacket, noBind { throw ValidationError("--af-packet and --no-bind exclude each other.") }
        guard config.hasPrefix("/") else {
            throw ValidationError("--config: '\(config)' is not an absolute path.")
        }
    }

    func run() throws {
        if !dryRun && geteuid() != 0 {
            FileHandle.standardError.write(Data("masond prepare needs root (run it with sudo)\n".utf8))
            throw ExitCode(2)
        }
        let options = NodePreparation.Options(hugepagesPerNode: UInt64(hugepages), experimentNetwork: IPv4Network(experimentNet)!,
                                              bind: !noBind, afPacket: afPacket, configPath: config, dryRun: dryRun)
        let report = NodePreparation(options: options).run(node: NodeInfo.gather(dpdk: nil, version: Daemon.version))
        print(json ? try report.jsonString() : report.text)
        if !report.ok && !dryRun { throw ExitCode(1) }
    }
}
