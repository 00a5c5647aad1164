import Foundation

/// What `masonlab setup` asks of every node.
public struct SetupOptions: Sendable {
    /// Hugepages (of the default size) per NUMA node; 0 leaves them alone.
    public var hugepages = 2048
    /// Where the experiment NIC's address lies (the control interface, the default route's, is never picked).
    public var experimentNet = "10.0.0.0/8"
    /// Drive the experiment NIC through DPDK's af_packet driver instead of binding it to vfio-pci.
    public var afPacket = false
    /// Only refresh the inventory: change nothing on the nodes.
    public var readInfo = false
    /// The local masond to install, and its SHA-256 (hex).
    public var masond: String
    public var masondSHA256: String

    public init(masond: String, masondSHA256: String) {
        self.masond = masond
        self.masondSHA256 = masondSHA256
    }
}

/// One step of a node's setup, as run and as `--dry-run` prints it.
public struct SetupStep: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Copy `local` to `remote` and run `install` (which puts it in place as masond), unless the
        /// installed one has `sha256`.
        case installMasond(local: String, remote: String, sha256: String, install: String)
        /// A shell command whose output is only logged.
        case command(String, stdin: String? = nil)
        /// `masond prepare … --json`: its report gives the experiment NIC.
        case prepare(String)
        /// masond answers `node.info` through `masond dial-stdio`.
        case checkDaemon(String)
    }

    public var title: String
    public var action: Action

    /// The lines `--dry-run` prints for this step.
    public var described: [String] {
        switch action {
        case let .installMasond(local, remote, sha256, install):
            return ["unless `sha256sum \(RemoteNode.masond)` is \(sha256):", "  upload \(local) to \(remote)", "  \(install)"]
        case let .command(command, stdin):
            return [command] + (stdin.map { ["  (stdin: \($0.split(separator: "\n").count) lines, the unit in Lab/MasondUnit.swift)"] } ?? [])
        case let .prepare(command):
            return [command]
        case let .checkDaemon(command):
            return ["\(command)  (then node.info over it)"]
        }
    }
}

/// The steps of one node's setup: a pure function of the options, the node's name (its upload
/// gets a name of its own) and the user (root needs no sudo). Each step is safe to re-run (masond
/// prepare reads before it writes; the unit and the binary are replaced whole; the daemon is restarted).
public enum SetupScript {
    public static func steps(_ options: SetupOptions, node: String, user: String) -> [SetupStep] {
        let sudo = RemoteNode.sudo(forUser: user)
        let masond = RemoteNode.masond
        let prepare = "\(sudo)\(masond) prepare --hugepages \(options.hugepages) --experiment-net \(options.experimentNet)"
            + (options.afPacket ? " --af-packet" : "") + " --json"
        let check = SetupStep(title: "check masond", action: .checkDaemon(RemoteNode.dialCommand(sudo: sudo)))
        if options.readInfo {
            return [SetupStep(title: "read the node (masond prepare --dry-run)", action: .prepare(prepare + " --dry-run")), check]
        }
        let libraries = "\(masond) --version >/dev/null 2>&1 || { \(sudo)apt-get update -qq && "
            + "\(sudo)env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpdk libnuma1; }; \(masond) --version"
        let unit = "\(sudo)mkdir -p /etc/systemd/system && \(sudo)tee /etc/systemd/system/masond.service >/dev/null"
        let start = "if [ -d /run/systemd/system ]; then "
            + "\(sudo)systemctl daemon-reload && \(sudo)systemctl enable --quiet masond && \(sudo)systemctl restart masond; "
            + "else \(sudo)start-stop-daemon --stop --quiet --oknodo --retry TERM/10/KILL/5 --pidfile /run/masond.pid --name masond --remove-pidfile && "
            + "\(sudo)start-stop-daemon --start --background --make-pidfile --pidfile /run/masond.pid --output /var/log/masond.log "
            + "--exec \(masond) -- serve --config \(MasondUnit.configPath); fi"
        let upload = "/tmp/masond-\(options.masondSHA256.prefix(12))-\(node)"
        return [
            SetupStep(title: "install masond",
                      action: .installMasond(local: options.masond, remote: upload, sha256: options.masondSHA256,
                                             install: "\(sudo)install -m 0755 \(upload) \(masond) && rm -f \(upload)")),
            SetupStep(title: "runtime libraries", action: .command(libraries)),
            SetupStep(title: "prepare (hugepages, DPDK, experiment NIC)", action: .prepare(prepare)),
            SetupStep(title: "install the systemd unit", action: .command(unit, stdin: MasondUnit.text)),
            SetupStep(title: "start masond", action: .command(start)),
            check,
        ]
    }

    /// What to do about a failed step's last words, when we know: masond cannot load its libraries
    /// (the node's image is not like the machine it was built on).
    public static func hint(for lastWords: String) -> String? {
        guard lastWords.contains("error while loading shared libraries") || lastWords.contains("GLIBC_") else { return nil }
        return "masond is built for Debian 12 (glibc 2.35 or newer, DPDK 22.11's librte_*.so.23): "
            + "give the nodes a Debian 12 image, or build masond (make node-masond) on a machine like them"
    }
}
