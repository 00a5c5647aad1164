import Control
import Foundation

/// `masond prepare`: makes a node ready for DPDK and writes the serve config, idempotently.
/// Every step reads the current state first, changes only what differs, and reads its change
/// back; a second run on a prepared node changes nothing and runs no command. Steps, in order:
/// the experiment interface, hugepages (per NUMA node, the sysctl.d file, the hugetlbfs mount),
/// vfio-pci and the NIC's binding, the serve config.
public struct NodePreparation {
    /// The command line's choices.
    public struct Options: Equatable, Sendable {
        /// Pages of the default hugepage size on each NUMA node; 0 leaves hugepages alone.
        public var hugepagesPerNode: UInt64
        /// Where the experiment interface's address lies.
        public var experimentNetwork: IPv4Network
        /// False (`--no-bind`): leave the NIC with its kernel driver.
        public var bind: Bool
        /// `--af-packet`: leave the NIC with the kernel and let DPDK drive it through its af_packet
        /// driver (for NICs vfio-pci cannot take: a VM's, a veth); slower than vfio-pci.
        public var afPacket: Bool
        /// The serve config file (a node path).
        public var configPath: String
        /// Plan only: report what would be written or run, change nothing.
        public var dryRun: Bool

        public init(hugepagesPerNode: UInt64 = 2048, experimentNetwork: IPv4Network = .emulabExperiment, bind: Bool = true,
                    afPacket: Bool = false, configPath: String = ServeConfig.defaultPath, dryRun: Bool = false) {
            self.hugepagesPerNode = hugepagesPerNode
            self.experimentNetwork = experimentNetwork
            self.bind = bind
            self.afPacket = afPacket
            self.configPath = configPath
            self.dryRun = dryRun
        }
    }

    public var options: Options
    public var system: PreparationSystem

    public init(options: Options, system: PreparationSystem = .live) {
        self.options = options
        self.system = system
    }

    /// Prepares the node `node` describes (its NICs, from `NodeInfo.gather`) and reports each step.
    public func run(node: NodeInfo) -> PrepareReport {
        let binding = PCIBinding(system: system, dryRun: options.dryRun)
        let record = system.contents(options.configPath).flatMap { try? ServeConfig.decode(Data($0.utf8), path: options.configPath) }
        let boundRecord = record.map(\.experimentInterface).flatMap { recorded in
            recorded.pciAddress.flatMap(binding.driver) == "vfio-pci" ? recorded : nil
        }
        let choice = ExperimentInterfaceChoice.choose(
            nics: node.nics, defaultRoute: ExperimentInterfaceChoice.defaultRouteInterfaces(procNetRoute: system.contents("/proc/net/route") ?? ""),
            network: options.experimentNetwork, boundRecord: boundRecord)
        var steps = [interfaceStep(choice, record: record?.experimentInterface)]

        let hugepages = HugepagePlan(system: system, pagesPerNode: options.hugepagesPerNode, dryRun: options.dryRun).apply()
        steps += hugepages.steps

        var interface = choice.interface
        var dpdkReason: String?
        var bound = false
        if let chosen = interface, options.afPacket {
            steps.append(.init(name: "dpdk binding", action: .skipped,
                               detail: "--af-packet: \(chosen.name) stays with the kernel; DPDK drives it through af_packet"))
            bound = true
            interface?.boundToDPDK = true
        } else if let chosen = interface {
            let wasBound = chosen.pciAddress.flatMap(binding.driver) == "vfio-pci"
            if let pci = chosen.pciAddress, options.bind {
                let bindSteps = binding.apply(to: chosen, pciAddress: pci)
                steps += bindSteps
                bound = binding.driver(of: pci) == "vfio-pci"
                if let failed = bindSteps.first(where: { $0.action == .failed }) {
                    dpdkReason = "the \(failed.name) step failed: \(failed.detail)"
                } else if !bound {
                    dpdkReason = "dry run: \(pci) would be bound to vfio-pci"
                }
            } else {
                let reason = chosen.pciAddress == nil
                    ? "\(chosen.name) has no PCI device (a virtual interface): roles on this node use kernel UDP"
                    : wasBound ? "--no-bind given; \(chosen.pciAddress!) is already bound to vfio-pci and stays so"
                    : "--no-bind given: \(chosen.name) stays with its kernel driver; roles on this node use kernel UDP"
                steps.append(.init(name: "dpdk binding", action: .skipped, detail: reason))
                bound = wasBound
                if !bound { dpdkReason = reason }
            }
            interface?.boundToDPDK = bound
        } else {
            dpdkReason = "no experiment interface"
            steps.append(.init(name: "dpdk binding", action: .skipped, detail: "no experiment interface to bind"))
        }
        if bound { dpdkReason = nil }

        // In a dry run, record what the config would hold once the planned binding is done.
        var recorded = interface
        if options.dryRun, options.bind, recorded?.pciAddress != nil { recorded?.boundToDPDK = true }
        steps.append(configStep(recorded.map { ServeConfig(interface: $0, afPacket: options.afPacket) }))
        return PrepareReport(hostname: node.hostname, steps: steps, experimentInterface: interface, hugepages: hugepages.reservations,
                             dpdkBound: bound, dpdkReason: dpdkReason, configPath: options.configPath)
    }

    private func interfaceStep(_ choice: ExperimentInterfaceChoice, record: ExperimentInterface?) -> PrepareReport.Step {
        let name = "experiment interface"
        switch choice {
        case let .reused(_, detail):
            return .init(name: name, action: .unchanged, detail: detail)
        case let .chosen(interface, detail):
            if let record, record.name == interface.name, record.ipv4 == interface.ipv4, record.pciAddress == interface.pciAddress {
                return .init(name: name, action: .unchanged, detail: detail + "; as the serve config records")
            }
            return .init(name: name, action: options.dryRun ? .planned : .changed,
                         detail: detail + (record.map { "; the serve config recorded \($0.name) \($0.ipv4)" } ?? ""))
        case let .none(detail):
            return .init(name: name, action: .failed, detail: detail)
        }
    }

    private func configStep(_ config: ServeConfig?) -> PrepareReport.Step {
        let name = "serve config"
        let path = options.configPath
        guard let config else { return .init(name: name, action: .skipped, detail: "no experiment interface to record in \(path)") }
        let summary = "address \(config.address), " + (config.dpdkArguments.map { "DPDK '\($0)'" } ?? "no DPDK (kernel UDP)")
        do {
            let text = try config.fileText()
            if system.contents(path) == text { return .init(name: name, action: .unchanged, detail: "\(path) already records \(summary)") }
            if options.dryRun {
                let compact = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                return .init(name: name, action: .planned, detail: "write \(path): \(compact)")
            }
            try system.writeFile(path, text)
            guard system.contents(path) == text else {
                return .init(name: name, action: .failed, detail: "\(path) does not read back as written")
            }
        } catch {
            return .init(name: name, action: .failed, detail: "\(error)")
        }
        return .init(name: name, action: .changed, detail: "wrote \(path): \(summary)")
    }
}
