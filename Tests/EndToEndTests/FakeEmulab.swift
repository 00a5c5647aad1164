import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// An Emulab experiment faked with network namespaces on this machine, for end-to-end tests of
/// masonlab's SSH orchestration (root only).
///
/// * `<prefix>-sw` holds two bridges: br0, the control network 10.77.0.0/24, and br1, the
///   experiment network 10.1.1.0/24.
/// * `<prefix>-ctl` is the controller (ops/the user's machine): eth0 = 10.77.0.1/24. Run the code
///   under test there with `runInController`.
/// * `<prefix>-<node>` per node i: eth0 = 10.77.0.(i+2)/24 with the default route (via 10.77.0.1),
///   eth1 = 10.1.1.(i+2)/24, and a real sshd on 0.0.0.0:22 in a private mount namespace whose
///   /etc, /usr/local, /var (overlays) and /run (tmpfs) writes vanish with it.
///
/// `teardown()` (also run by deinit) kills every process in the fixture's namespaces, deletes them
/// (and so every veth and bridge: nothing is ever made in the root namespace) and its directory.
final class FakeEmulab {
    static let sshd = "/usr/sbin/sshd", sshKeygen = "/usr/bin/ssh-keygen", unshare = "/usr/bin/unshare"

    /// One line saying what this machine lacks for the fixture, or nil if it can run here.
    static var missing: String? {
        if geteuid() != 0 { return "FakeEmulab needs root (network namespaces, mounts)" }
        let tools: [String] = [sshd, sshKeygen, unshare].filter { access($0, X_OK) != 0 }
        if !tools.isEmpty { return "FakeEmulab needs \(tools.joined(separator: ", ")), which is missing" }
        if FakeEmulabProcesses.ipPath == nil { return "FakeEmulab needs the ip tool (iproute2), which is missing" }
        return nil
    }

    /// Throws when the fixture cannot run here: XCTSkip with `missing`, or a failure under
    /// `make test` (TestPrerequisites.required).
    static func skipUnlessAvailable() throws {
        try TestPrerequisites.skipUnless(missing == nil, missing ?? "")
    }

    /// Network namespaces left by any FakeEmulab (names starting with `mlf`), e.g. after a crash.
    static func leftovers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.hasPrefix("mlf") }.sorted()
    }

    /// `mlf` + 4 hex digits, unique among the namespaces that exist now.
    let prefix: String
    /// The node names, in the order given (node i has addresses ending in i + 2).
    let nodeNames: [String]
    /// The fixture's temp directory, `/tmp/<prefix>` (never under /etc, /usr/local, /var or /run,
    /// which the nodes overlay: their sshd reads its config and keys from here).
    let directory: String
    /// An empty directory for the test, e.g. masonlab's working directory.
    let folder: URL
    /// The Emulab List View of every node (with sshd or not), as pasted from the portal.
    let listViewPath: String
    /// The client private key every node's sshd accepts for root.
    let identityPath: String
    /// A client private key no node accepts.
    let wrongIdentityPath: String
    /// An empty known_hosts file.
    let knownHostsPath: String
    var controllerNamespace: String { prefix + "-ctl" }
    var switchNamespace: String { prefix + "-sw" }

    // For FakeEmulabSetup.swift only.
    var nodes: [String: FakeEmulabNode] = [:]
    /// The namespaces made so far, switch first.
    var namespaces: [String] = []
    var authorizedKeysPath: String { directory + "/authorized_keys" }
    private var tornDown = false

    /// Builds the experiment; on any failure it removes what it made and throws.
    init(nodes names: [String], withoutSSHD: Set<String> = []) throws {
        try Self.skipUnlessAvailable()
        guard names.count <= 253, Set(names).count == names.count, names.allSatisfy(FakeEmulabNode.isValidName) else {
            throw FakeEmulabError("FakeEmulab node names must be unique, at most 253, of [A-Za-z0-9._-], not sw/ctl: \(names)")
        }
        var prefix: String
        repeat { prefix = "mlf" + String(format: "%04x", UInt16.random(in: 0 ... .max)) }
        while FileManager.default.fileExists(atPath: "/run/netns/\(prefix)-sw") || FileManager.default.fileExists(atPath: "/tmp/\(prefix)")
        self.prefix = prefix
        nodeNames = names
        directory = "/tmp/\(prefix)"
        folder = URL(fileURLWithPath: directory + "/folder")
        listViewPath = directory + "/list_view.txt"
        identityPath = directory + "/id_ed25519"
        wrongIdentityPath = directory + "/wrong_ed25519"
        knownHostsPath = directory + "/known_hosts"
        for (index, name) in names.enumerated() {
            nodes[name] = FakeEmulabNode(name: name, index: index, namespace: "\(prefix)-\(name)",
                                         directory: "\(directory)/nodes/\(name)", hasSSHD: !withoutSSHD.contains(name))
        }
        do {
            try makeFiles()
            try makeNetwork()
            for name in names where nodes[name]!.hasSSHD { try startSSHD(name) }
            for name in names where nodes[name]!.hasSSHD { try waitForSSHD(name) }
        } catch {
            teardown()
            throw error
        }
    }

    deinit { teardown() }

    // MARK: - Per node

    func namespace(_ node: String) -> String { self[node].namespace }
    func controlAddress(_ node: String) -> String { self[node].controlAddress }
    func experimentAddress(_ node: String) -> String { self[node].experimentAddress }
    /// The SHA256 fingerprint (`SHA256:…`) of the host key the node's sshd uses now.
    func hostKeyFingerprint(_ node: String) -> String { self[node].fingerprints[self[node].currentKey] }
    /// What the node's sshd logged so far (all its runs).
    func sshdLog(_ node: String) -> String {
        (try? String(contentsOfFile: self[node].logPath, encoding: .utf8)) ?? ""
    }

    /// The pids `ip netns pids` lists for the node (sshd and whatever its sessions started).
    func pids(_ node: String) -> [pid_t] { namespacePids(self[node].namespace) }
    /// The pids `ip netns pids` lists for any of the fixture's namespaces (e.g. `controllerNamespace`).
    func pids(inNamespace namespace: String) -> [pid_t] { namespacePids(namespace) }

    /// Restarts the node's sshd with a new host key, as if the node had been reloaded: every
    /// process in the node is killed and the node's file-system changes are gone with them.
    func replaceHostKey(node: String) throws {
        guard self[node].hasSSHD else { throw FakeEmulabError("node \(node) has no sshd") }
        killAll(in: self[node].namespace)
        var state = self[node]
        state.currentKey += 1
        if state.currentKey == state.hostKeys.count {
            // Safe while sshd runs: our children are reaped by pid (see FakeEmulabProcesses).
            try keygen(state.hostKeyPath(state.currentKey))
            state.hostKeys.append(state.hostKeyPath(state.currentKey))
            state.fingerprints.append(try fingerprint(state.hostKeys[state.currentKey]))
        }
        nodes[node] = state
        try startSSHD(node)
        try waitForSSHD(node)
    }

    // MARK: - Running commands

    /// Runs `executable arguments…` inside the controller's network namespace
    /// (`ip netns exec <prefix>-ctl …`) with exactly `environment`, to its end. If it runs longer
    /// than `timeout` seconds its process group is killed and this throws.
    func runInController(_ executable: URL, _ arguments: [String], currentDirectory: URL,
                         environment: [String: String] = ProcessInfo.processInfo.environment,
                         timeout: Double = 600) throws -> (status: Int32, stdout: String, stderr: String) {
        let output = try FakeEmulabProcesses.run(FakeEmulabProcesses.ipPath!, ["netns", "exec", controllerNamespace, executable.path] + arguments,
                                                 environment: environment, directory: currentDirectory.path,
                                                 timeout: timeout)
        return (output.status, output.stdout, output.stderr)
    }

    /// Runs `executable arguments…` in the node's network namespace, but in this machine's file
    /// system (not the sshd's private one), e.g. `ping`. Throws on timeout like `runInController`.
    func runInNode(_ node: String, _ executable: String, _ arguments: [String],
                   timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        let output = try FakeEmulabProcesses.run(FakeEmulabProcesses.ipPath!, ["netns", "exec", self[node].namespace, executable] + arguments,
                                                 timeout: timeout)
        return (output.status, output.stdout, output.stderr)
    }

    /// A TCP connect to `address:port` from the controller (or from `node`): 0 if accepted, else
    /// the errno (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH…).
    func tcpConnect(to address: String, port: Int = 22, fromNode node: String? = nil, timeout: Double = 1) -> Int32 {
        FakeEmulabProcesses.tcpConnect(from: node.map { self[$0].namespace } ?? controllerNamespace, to: address,
                                       port: port, timeout: timeout)
    }

    // MARK: - Teardown

    /// Kills every process in the fixture's namespaces, deletes the namespaces (with their veths
    /// and bridges) and the directory. Idempotent. Killed processes whose parent is gone stay as
    /// zombies (PID 1 here reaps none); they hold no namespace.
    func teardown() {
        guard !tornDown else { return }
        tornDown = true
        for namespace in namespaces { killAll(in: namespace) }
        for namespace in namespaces.reversed() {
            _ = try? FakeEmulabProcesses.ip(["netns", "delete", namespace])
        }
        namespaces = []
        try? FileManager.default.removeItem(atPath: directory)
    }
}
