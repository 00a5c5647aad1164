import Control
import Foundation

/// One testbed node as `masonlab setup` last found it: how to reach it, what it is, how it was
/// prepared, or why that failed.
public struct InventoryNode: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case ready, failed }

    public var name: String
    public var host: String
    public var port: Int
    public var user: String
    public var hardwareType: String?
    public var status: Status
    /// Why the last setup of this node failed.
    public var error: String?
    public var updated: Date
    /// The NIC roles use (from `masond prepare`).
    public var experiment: ExperimentInterface?
    /// What masond reported (`node.info`) after setup.
    public var info: NodeInfo?

    public init(name: String, host: String, port: Int, user: String, hardwareType: String?, status: Status, error: String? = nil,
                updated: Date = Date(), experiment: ExperimentInterface? = nil, info: NodeInfo? = nil) {
        self.name = name
        self.host = host
        self.port = port
        self.user = user
        self.hardwareType = hardwareType
        self.status = status
        self.error = error
        self.updated = updated
        self.experiment = experiment
        self.info = info
    }
}

/// The testbed's nodes (`machine_info.json`): written by `masonlab setup`, read by the emulab
/// testbed. Names may be edited to re-assign roles (rename `proxy-40` to `client-9`), as in the
/// original artifact.
public struct Inventory: Codable, Equatable, Sendable {
    public var nodes: [InventoryNode]

    public init(nodes: [InventoryNode]) { self.nodes = nodes }

    /// Reads an inventory; every problem is one sentence naming the file.
    public static func load(path: String) throws -> Inventory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabError("\(path): no inventory there; run masonlab setup first (it writes it).")
        }
        do {
            let inventory = try decoder.decode(Inventory.self, from: data)
            var seen: [String: String] = [:]  // canonical name → the name as written
            for node in inventory.nodes {
                guard (1 ... 65_535).contains(node.port) else {
                    throw LabError("\(path): node \(node.name) has SSH port \(node.port); a port is 1...65535, so fix it or run masonlab setup again.")
                }
                let key = NaturalOrder.canonical(node.name)
                if let earlier = seen[key] {
                    guard earlier == node.name else {
                        throw LabError("\(path): nodes \(earlier) and \(node.name) are the same node number (leading zeros do not count); rename one of them.")
                    }
                    throw LabError("\(path): node \(node.name) appears twice.")
                }
                seen[key] = node.name
            }
            return inventory
        } catch let error as LabError {
            throw error
        } catch let error as DecodingError {
            throw LabError("\(path) is not a masonlab inventory: \(error.describe())")
        }
    }

    /// Writes the inventory atomically (a temporary file renamed over the old one).
    public func save(path: String) throws {
        try encoded().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Writes the inventory's JSON to `handle` (as `save` does to a file).
    public func write(to handle: FileHandle) throws {
        try handle.write(contentsOf: encoded())
    }

    private func encoded() throws -> Data {
        try JSONOutput.data(self, layout: .document) + Data("\n".utf8)
    }

    /// This inventory with `updates` replacing the nodes of the same name; a failed update keeps
    /// what was known of the node before (its NIC and info) and records the failure. Natural order.
    public func merged(with updates: [InventoryNode]) -> Inventory {
        var byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for update in updates {
            if update.status == .failed, var old = byName[update.name] {
                old.status = .failed
                old.error = update.error
                old.updated = update.updated
                byName[update.name] = old
            } else {
                byName[update.name] = update
            }
        }
        return Inventory(nodes: byName.values.sorted { NaturalOrder.less($0.name, $1.name) })
    }

    /// The nodes a run may use: ready, with an experiment NIC, addressed by it.
    public var slots: [NodeSlot] {
        nodes.compactMap { node in
            guard node.status == .ready, let nic = node.experiment else { return nil }
            return NodeSlot(name: node.name, address: nic.ipv4, mac: nic.mac, transport: nic.boundToDPDK ? .dpdk : .udp)
        }
    }

    static let decoder = JSONOutput.decoder()
}

/// A node's record as the results database keeps it (sorted-key JSON, ISO 8601 dates).
public enum InventoryRecordJSON {
    public static func encode(_ node: InventoryNode) throws -> String {
        try JSONOutput.string(node)
    }
}

/// The table `masonlab setup` prints: one row per node.
public enum InventoryTable {
    public static func rows(_ nodes: [InventoryNode]) -> [[String]] {
        [["node", "host", "status", "experiment_nic", "address", "transport", "cores", "hugepages"]] + nodes.map { node in
            let nic = node.experiment
            let pages = node.info?.hugepages.map { "\($0.total)x\($0.sizeKiB)kB" }.joined(separator: ",") ?? "-"
            return [node.name, node.host, node.status == .ready ? "ready" : "FAILED", nic?.name ?? "-", nic?.ipv4 ?? "-",
                    nic.map { ($0.boundToDPDK ? WorkerTransport.dpdk : .udp).rawValue } ?? "-", node.info.map { "\($0.cpuCores)" } ?? "-", pages]
        }
    }
}
