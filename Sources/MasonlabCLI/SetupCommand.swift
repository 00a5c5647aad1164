import ArgumentParser
import Foundation
import Control
import Lab

/// `masonlab setup`: prepares every node of an Emulab/CloudLab List View over SSH.
struct Setup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prepare Emulab/CloudLab nodes: install masond, hugepages, DPDK binding; save the inventory.",
        discussion: """
        Every node of the List View is reached over SSH in parallel. On each: masond is installed in /usr/local/bin \
        (skipped when the same one is there), `masond prepare` reserves hugepages per NUMA node, picks the experiment NIC \
        and binds it to vfio-pci when it is a PCI device, and masond starts as a systemd service (start-stop-daemon where \
        systemd is not running); then masonlab checks it answers node.info through `masond dial-stdio`. Every step is \
        safe to re-run. The inventory goes to --inventory (machine_info.json) and the results database; each node's \
        commands and their output go to setup-logs/NODE.log. Exit 1 names the nodes that failed; the others are set up.
        """
    )

    @Option(help: ArgumentHelp("The List View pasted from the portal's experiment page.", valueName: "FILE"))
    var list: String = "machine_list.txt"

    @OptionGroup var ssh: SSHOptions
    @OptionGroup var database: ResultsDatabaseOption

    @Flag(name: .customLong("read-info"), help: "Only refresh the inventory (masond must be installed and running); change nothing.")
    var readInfo = false

    @Flag(name: .customLong("dry-run"), help: "Print every command each node would run; contact no node.")
    var dryRun = false

    @Option(help: "Hugepages of the default size to reserve per NUMA node (0 leaves them alone).")
    var hugepages: Int = 2048

    @Option(name: .customLong("experiment-net"), help: ArgumentHelp("Where the experiment NIC's address lies (the default-route interface is never picked).", valueName: "CIDR"))
    var experimentNet: String = "10.0.0.0/8"

    @Flag(name: .customLong("af-packet"), help: "Drive the experiment NIC through DPDK's af_packet driver instead of binding it to vfio-pci (VMs, NICs vfio cannot take; slower).")
    var afPacket = false

    @Option(help: ArgumentHelp("The masond binary to install (default: the one beside masonlab).", valueName: "PATH"))
    var masond: String?

    @Option(help: "Nodes set up at once.")
    var parallel: Int = 16

    @Flag(help: "The nodes' records as one JSON document ({\"nodes\":[...]}, as in the inventory) instead of the table.")
    var json = false

    @Option(name: .customLong("logs"), help: ArgumentHelp("Where each node's setup log goes.", valueName: "DIR"))
    var logs: String = "setup-logs"

    func validate() throws {
        guard PrepareReport.hugepagesPerNode.contains(hugepages) else {
            throw ValidationError("--hugepages must be \(PrepareReport.hugepagesPerNode) (got \(hugepages)).")
        }
        guard (1 ... 256).contains(parallel) else { throw ValidationError("--parallel must be 1...256 (got \(parallel)).") }
        guard IPv4Network(experimentNet) != nil else {
            throw ValidationError("--experiment-net: '\(experimentNet)' is not an IPv4 network (a.b.c.d/len).")
        }
        if readInfo, dryRun { throw ValidationError("--read-info and --dry-run exclude each other.") }
        if database.testbedOption == .local {
            throw ValidationError("--testbed local: setup prepares the nodes of an emulab testbed; the local testbed needs none.")
        }
    }

    func run() throws {
        let listView: ListView
        do {
            listView = try ListView.load(path: list)
        } catch {
            throw CommandFailure("\(error)", status: ExitStatus.usage)
        }
        let binary = masond ?? LocalDaemons.masond().path
        guard FileManager.default.isReadableFile(atPath: binary) else {
            throw CommandFailure("--masond: no masond at \(binary).", status: ExitStatus.usage)
        }
        var options = SetupOptions(masond: binary, masondSHA256: try FileDigest.sha256(path: binary))
        options.hugepages = hugepages
        options.experimentNet = experimentNet
        options.readInfo = readInfo
        options.afPacket = afPacket
        let setup = EmulabSetup(listView: listView, options: options, ssh: ssh.settings, logDirectory: URL(fileURLWithPath: logs),
                                parallel: parallel) { FileHandle.standardError.write(Data("masonlab: \($0)\n".utf8)) }
        if dryRun {
            print(setup.dryRun().joined(separator: "\n"))
            return
        }
        if !readInfo, let warning = FileDigest.dynamicSwiftWarning(path: binary) {
            FileHandle.standardError.write(Data("masonlab: warning: \(warning)\n".utf8))
        }
        // A hand-edited inventory that no longer parses is refused before any node is touched.
        let recorder: InventoryRecorder
        do {
            recorder = try InventoryRecorder(path: ssh.inventory, store: try openStore(database.path))
        } catch let error as LabError {
            throw CommandFailure("\(error)", status: ExitStatus.usage)
        }
        let records = try setup.run { recorder.record($0) }
        if let problem = recorder.problem { throw CommandFailure(problem) }
        if json {
            try Inventory(nodes: records).write(to: FileHandle.standardOutput)
        } else {
            print(TextTable.render(InventoryTable.rows(records)))
        }
        let failed = records.filter { $0.status == .failed }
        if !failed.isEmpty {
            throw CommandFailure("setup failed on \(failed.count) of \(records.count) nodes (logs in \(logs)/): "
                + failed.map { "\($0.name): \($0.error ?? "")" }.joined(separator: "; "))
        }
    }
}
