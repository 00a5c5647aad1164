import Control

/// The DPDK part of `masond prepare`: vfio-pci loaded, no-IOMMU mode when the machine has no
/// IOMMU, and the experiment NIC's PCI function moved from its kernel driver to vfio-pci (checked
/// by reading the device's `driver` link back). A later step is not tried once one fails.
struct PCIBinding {
    static let vfioDriver = "/sys/bus/pci/drivers/vfio-pci"
    static let noIOMMUParameter = "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
    static let modprobeConfigPath = "/etc/modprobe.d/masond-vfio.conf"
    static let modprobeConfig = "options vfio enable_unsafe_noiommu_mode=1\n"

    let system: PreparationSystem
    let dryRun: Bool

    /// The kernel driver bound to a PCI function, nil when none is.
    func driver(of pciAddress: String) -> String? {
        system.linkName("/sys/bus/pci/devices/\(pciAddress)/driver")
    }

    func apply(to interface: ExperimentInterface, pciAddress: String) -> [PrepareReport.Step] {
        let stages: [(String, () -> PrepareReport.Step)] = [
            ("vfio-pci driver", loadDriver),
            ("vfio no-IOMMU mode", enableNoIOMMUIfNeeded),
            ("dpdk binding", { bind(interface, pciAddress: pciAddress) }),
        ]
        var steps: [PrepareReport.Step] = []
        for (name, stage) in stages {
            if let failed = steps.first(where: { $0.action == .failed }) {
                steps.append(.init(name: name, action: .skipped, detail: "not tried: the \(failed.name) step failed"))
            } else {
                steps.append(stage())
            }
        }
        return steps
    }

    private func loadDriver() -> PrepareReport.Step {
        let name = "vfio-pci driver"
        if system.exists(Self.vfioDriver) { return .init(name: name, action: .unchanged, detail: "vfio-pci is loaded") }
        if dryRun {
            return .init(name: name, action: .planned, detail: "run modprobe vfio-pci (\(Self.vfioDriver) is missing)")
        }
        do {
            try system.run(["modprobe", "vfio-pci"])
        } catch {
            return .init(name: name, action: .failed, detail: "\(error)")
        }
        guard system.exists(Self.vfioDriver) else {
            return .init(name: name, action: .failed, detail: "modprobe vfio-pci exited 0 but \(Self.vfioDriver) is still missing")
        }
        return .init(name: name, action: .changed, detail: "loaded vfio-pci (modprobe vfio-pci)")
    }

    /// vfio-pci binds a device outside any IOMMU group only in vfio's unsafe no-IOMMU mode.
    private func enableNoIOMMUIfNeeded() -> PrepareReport.Step {
        let name = "vfio no-IOMMU mode"
        let mode = system.value(Self.noIOMMUParameter)
        let groups = system.list("/sys/kernel/iommu_groups").count
        if mode != "Y" && groups > 0 {
            return .init(name: name, action: .unchanged, detail: "not needed: the IOMMU is on (\(groups) groups)")
        }
        let persisted = system.contents(Self.modprobeConfigPath) == Self.modprobeConfig
        if mode == "Y" && persisted {
            return .init(name: name, action: .unchanged, detail: "vfio's unsafe no-IOMMU mode is on and persisted in \(Self.modprobeConfigPath)")
        }
        var plan: [String] = []
        var done: [String] = []
        if mode != "Y" {
            plan.append("write Y to \(Self.noIOMMUParameter) (now \(mode ?? "absent"))")
            done.append("turned on vfio's unsafe no-IOMMU mode (\(Self.noIOMMUParameter) was \(mode ?? "absent"))")
        }
        if !persisted {
            plan.append("write '\(Self.modprobeConfig.dropLast())' to \(Self.modprobeConfigPath)")
            done.append("persisted it in \(Self.modprobeConfigPath)")
        }
        if dryRun { return .init(name: name, action: .planned, detail: plan.joined(separator: "; ")) }
        do {
            if mode != "Y" {
                guard mode != nil else {
                    return .init(name: name, action: .failed,
                                 detail: "the machine has no IOMMU and \(Self.noIOMMUParameter) is missing (vfio built without "
                                     + "CONFIG_VFIO_NOIOMMU); enable the IOMMU (intel_iommu=on) or use another kernel")
                }
                try system.writeAttribute(Self.noIOMMUParameter, "Y")
                guard system.value(Self.noIOMMUParameter) == "Y" else {
                    return .init(name: name, action: .failed, detail: "\(Self.noIOMMUParameter) does not read back Y")
                }
            }
            if !persisted {
                try system.writeFile(Self.modprobeConfigPath, Self.modprobeConfig)
                guard system.contents(Self.modprobeConfigPath) == Self.modprobeConfig else {
                    return .init(name: name, action: .failed, detail: "\(Self.modprobeConfigPath) does not read back as written")
                }
            }
        } catch {
            return .init(name: name, action: .failed, detail: "\(error)")
        }
        return .init(name: name, action: .changed, detail: "no IOMMU groups: " + done.joined(separator: "; "))
    }

    /// Interface down, driver_override, unbind from the kernel driver, drivers_probe; then the
    /// device's driver must read back as vfio-pci.
    private func bind(_ interface: ExperimentInterface, pciAddress bdf: String) -> PrepareReport.Step {
        let name = "dpdk binding"
        let device = "/sys/bus/pci/devices/\(bdf)"
        guard system.exists(device) else {
            return .init(name: name, action: .failed, detail: "\(device) is missing: no PCI function \(bdf) on this machine")
        }
        let current = driver(of: bdf)
        if current == "vfio-pci" { return .init(name: name, action: .unchanged, detail: "\(bdf) is bound to vfio-pci") }

        var actions: [(text: String, perform: () throws -> Void)] = []
        if system.exists("/sys/class/net/\(interface.name)") {
            let command = ["ip", "link", "set", "dev", interface.name, "down"]
            actions.append(("run \(command.joined(separator: " "))", { try system.run(command) }))
        }
        if system.value(device + "/driver_override") != "vfio-pci" {
            actions.append(("write vfio-pci to \(device)/driver_override", { try system.writeAttribute(device + "/driver_override", "vfio-pci") }))
        }
        if let current {
            let unbind = "/sys/bus/pci/drivers/\(current)/unbind"
            actions.append(("write \(bdf) to \(unbind)", { try system.writeAttribute(unbind, bdf) }))
        }
        actions.append(("write \(bdf) to /sys/bus/pci/drivers_probe", { try system.writeAttribute("/sys/bus/pci/drivers_probe", bdf) }))
        if dryRun { return .init(name: name, action: .planned, detail: actions.map(\.text).joined(separator: "; ")) }

        do {
            for action in actions { try action.perform() }
        } catch {
            return .init(name: name, action: .failed, detail: "binding \(bdf) to vfio-pci: \(error)")
        }
        let now = driver(of: bdf)
        guard now == "vfio-pci" else {
            return .init(name: name, action: .failed,
                         detail: "after drivers_probe \(bdf) is bound to \(now ?? "no driver"), not vfio-pci; see dmesg (IOMMU group, vfio-pci)")
        }
        return .init(name: name, action: .changed,
                     detail: "\(bdf) (\(interface.name)) moved from \(current ?? "no driver") to vfio-pci")
    }
}
