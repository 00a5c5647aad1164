import Control
import Foundation

/// What `masond prepare` records for `masond serve --config`: the data-plane address and the
/// DPDK EAL arguments for the experiment NIC (when it is bound to vfio-pci).
public struct ServeConfig: Codable, Equatable, Sendable {
    /// Where `masond prepare` writes it and `masonlab setup` points `serve --config`.
    public static let defaultPath = "/etc/masond/serve.json"

    /// The experiment IPv4 address, no prefix length (`serve --address`).
    public var address: String
    /// `-a <BDF> --file-prefix masond` when the NIC is bound to vfio-pci, else nil (kernel UDP).
    public var dpdkArguments: String?
    public var experimentInterface: ExperimentInterface

    public init(address: String, dpdkArguments: String?, experimentInterface: ExperimentInterface) {
        self.address = address
        self.dpdkArguments = dpdkArguments
        self.experimentInterface = experimentInterface
    }

    /// The config for an interface: DPDK arguments only when DPDK drives it, `-a BDF` for a
    /// bound PCI function; with `afPacket`, an af_packet vdev on the interface, in 256 MiB of
    /// ordinary memory (a slow path: hugepages would not make it fast).
    public init(interface: ExperimentInterface, afPacket: Bool = false) {
        let arguments: String?
        if afPacket, interface.boundToDPDK {
            arguments = "--no-pci --no-huge -m 256 --vdev=net_af_packet0,iface=\(interface.name) --file-prefix masond"
        } else {
            arguments = interface.boundToDPDK ? interface.pciAddress.map { "-a \($0) --file-prefix masond" } : nil
        }
        self.init(address: interface.ipv4, dpdkArguments: arguments, experimentInterface: interface)
    }

    /// Pretty-printed JSON with sorted keys and a final newline: the file's exact bytes, so a
    /// rerun can tell whether it would change anything.
    public func fileText() throws -> String { try JSONOutput.string(self, layout: .document) + "\n" }

    /// Reads and checks a config file; the error names the path and, for a bad or missing
    /// field, the field.
    public static func load(path: String) throws -> ServeConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DaemonError("cannot read the serve config \(path): it does not exist (masond prepare writes it)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DaemonError("cannot read the serve config \(path): \((error as NSError).localizedDescription)")
        }
        return try decode(data, path: path)
    }

    /// Decodes a config's bytes (`path` only names it in errors).
    public static func decode(_ data: Data, path: String) throws -> ServeConfig {
        let config: ServeConfig
        do {
            config = try JSONOutput.decoder().decode(ServeConfig.self, from: data)
        } catch let error as DecodingError {
            throw DaemonError("the serve config \(path) is malformed: \(error.describe())")
        }
        guard IPv4Network.parse(config.address) != nil else {
            throw DaemonError("the serve config \(path) is malformed: address: '\(config.address)' is not an IPv4 address (a.b.c.d)")
        }
        return config
    }
}

/// What `masond serve` runs with: flags given on the command line win over the config file,
/// which wins over the defaults (127.0.0.1, no DPDK).
public struct ServeSettings: Equatable, Sendable {
    public var address: String
    public var dpdkArguments: String?

    public init(config: ServeConfig?, address: String?, dpdkArguments: String?) {
        self.address = address ?? config?.address ?? "127.0.0.1"
        self.dpdkArguments = dpdkArguments ?? config?.dpdkArguments
    }
}
