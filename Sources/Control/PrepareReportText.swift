import Foundation

extension PrepareReport {
    /// `masond prepare`'s default output: one line per step
    /// (`changed    hugepages node0: 0 → 2048 pages of 2048 kB`), then a summary line.
    public var text: String {
        var lines = steps.map { step in
            step.action.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + " \(step.name): \(step.detail)"
        }
        let failures = steps.filter { $0.action == .failed }.count
        if ok {
            let nic = experimentInterface.map { "\($0.name) \($0.ipv4)" } ?? "none"
            let dpdk = dpdkBound ? "driven by DPDK" : "not driven by DPDK" + (dpdkReason.map { " (\($0))" } ?? "")
            lines.append("ok: \(hostname): experiment interface \(nic), \(dpdk); serve config \(configPath)")
        } else {
            lines.append("FAILED: \(hostname): \(failures) step\(failures == 1 ? "" : "s") failed")
        }
        return lines.joined(separator: "\n")
    }

    /// `masond prepare --json`: one line.
    public func jsonString() throws -> String { try JSONOutput.string(self) }
}
