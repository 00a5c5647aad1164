import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// How FakeEmulab builds its experiment, starts and stops sshd, and kills processes.
extension FakeEmulab {
    // MARK: - Building

    subscript(node: String) -> FakeEmulabNode {
        guard let state = nodes[node] else { preconditionFailure("FakeEmulab has no node \(node); it has \(nodeNames)") }
        return state
    }

    /// Directories, every key (all made before any sshd starts), authorized_keys, known_hosts, sshd
    /// configs and the List View.
    func makeFiles() throws {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        try keygen(identityPath)
        try keygen(wrongIdentityPath)
        try files.copyItem(atPath: identityPath + ".pub", toPath: authorizedKeysPath)
        guard files.createFile(atPath: knownHostsPath, contents: Data()) else { throw FakeEmulabError("cannot create \(knownHostsPath)") }
        for name in nodeNames {
            var node = self[name]
            try files.createDirectory(atPath: node.scratch, withIntermediateDirectories: true)
            if node.hasSSHD {
                for generation in 0 ..< 2 {
                    try keygen(node.hostKeyPath(generation))
                    node.hostKeys.append(node.hostKeyPath(generation))
                    node.fingerprints.append(try fingerprint(node.hostKeyPath(generation)))
                }
            }
            nodes[name] = node
        }
        let rows = [FakeEmulabNode.listViewHeader] + nodeNames.map { self[$0].listViewLine }
        try (rows.joined(separator: "\n") + "\n").write(toFile: listViewPath, atomically: true, encoding: .utf8)
    }

    /// The namespaces, bridges and veths. Each veth is made in the switch with its peer placed
    /// straight into its namespace, so no interface ever appears in the root namespace.
    func makeNetwork() throws {
        let ip = { (arguments: [String]) throws in _ = try FakeEmulabProcesses.ip(arguments) }
        for namespace in [switchNamespace, controllerNamespace] + nodeNames.map({ self[$0].namespace }) {
            try ip(["netns", "add", namespace])
            namespaces.append(namespace)
            try ip(["-n", namespace, "link", "set", "lo", "up"])
        }
        let sw = switchNamespace
        for bridge in ["br0", "br1"] {
            try ip(["-n", sw, "link", "add", bridge, "type", "bridge"])
            try ip(["-n", sw, "link", "set", bridge, "up"])
        }
        /// A veth from `port` on `bridge` in the switch to `interface` in `namespace`, with `address`.
        func attach(_ namespace: String, _ interface: String, _ address: String, port: String, bridge: String) throws {
            try ip(["-n", sw, "link", "add", port, "type", "veth", "peer", "name", interface, "netns", namespace])
            try ip(["-n", sw, "link", "set", port, "master", bridge, "up"])
            try ip(["-n", namespace, "addr", "add", address + "/24", "dev", interface])
            try ip(["-n", namespace, "link", "set", interface, "up"])
        }
        try attach(controllerNamespace, "eth0", "10.77.0.1", port: "ctl", bridge: "br0")
        for name in nodeNames {
            let node = self[name]
            try attach(node.namespace, "eth0", node.controlAddress, port: "n\(node.index)c", bridge: "br0")
            try attach(node.namespace, "eth1", node.experimentAddress, port: "n\(node.index)x", bridge: "br1")
            try ip(["-n", node.namespace, "route", "add", "default", "via", "10.77.0.1", "dev", "eth0"])
        }
    }

    /// Writes the node's sshd_config and starts `ip netns exec NS unshare --mount --propagation
    /// private sh -c '<mounts>; exec sshd -D -e -f CFG'`, its output appended to its log.
    func startSSHD(_ name: String) throws {
        var node = self[name]
        try node.config(authorizedKeys: authorizedKeysPath).write(toFile: node.configPath, atomically: true, encoding: .utf8)
        node.sshd = try FakeEmulabProcesses.spawn(
            FakeEmulabProcesses.ipPath!,
            ["netns", "exec", node.namespace, Self.unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", node.mountScript],
            stdout: node.logPath, stderr: node.logPath, append: true)
        nodes[name] = node
    }

    /// Waits (10 s at most) until the node's sshd accepts TCP on its control address from the controller.
    func waitForSSHD(_ name: String) throws {
        let node = self[name], deadline = Date().addingTimeInterval(10)
        var result: Int32 = -1
        while true {
            result = tcpConnect(to: node.controlAddress)
            if result == 0 { return }
            if let sshd = node.sshd, let ended = sshd.wait(timeout: 0) {
                nodes[name]?.sshd = nil
                throw FakeEmulabError("sshd of node \(name) exited with \(ended.status.shellStatus) before listening: \(sshdLog(name).suffix(1500))")
            }
            guard Date() < deadline else { break }
            usleep(10_000)
        }
        throw FakeEmulabError("sshd of node \(name) did not accept TCP on \(node.controlAddress):22 within 10 s "
            + "(last: \(String(cString: strerror(result)))): \(sshdLog(name).suffix(1500))")
    }

    // MARK: - Processes

    func namespacePids(_ namespace: String) -> [pid_t] {
        let text = (try? FakeEmulabProcesses.ip(["netns", "pids", namespace])) ?? ""
        return text.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }

    /// SIGTERM to every process in the namespace, SIGKILL to those alive after a second (and to
    /// any started meanwhile); waits a moment for the sshd we started there (ChildProcess reaps it).
    func killAll(in namespace: String) {
        let ours = nodes.values.filter { $0.namespace == namespace }.compactMap(\.sshd)
        for round in 0 ..< 5 {
            let alive = namespacePids(namespace).filter(FakeEmulabProcesses.isAlive)
            if alive.isEmpty { break }
            for pid in alive { kill(pid, round == 0 ? SIGTERM : SIGKILL) }
            let deadline = Date().addingTimeInterval(round == 0 ? 1 : 0.5)
            while Date() < deadline, alive.contains(where: FakeEmulabProcesses.isAlive) { usleep(5_000) }
        }
        for sshd in ours { _ = sshd.wait(timeout: 0.2) }
        for name in nodes.keys where nodes[name]!.namespace == namespace { nodes[name]!.sshd = nil }
    }

    func keygen(_ path: String) throws {
        let output = try FakeEmulabProcesses.run(Self.sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", "fake-emulab", "-f", path])
        guard output.status == 0 else { throw FakeEmulabError("ssh-keygen for \(path) exited with \(output.status): \(output.stderr)") }
    }

    func fingerprint(_ key: String) throws -> String {
        let output = try FakeEmulabProcesses.run(Self.sshKeygen, ["-l", "-E", "sha256", "-f", key + ".pub"])
        let fields = output.stdout.split(separator: " ")
        guard output.status == 0, fields.count >= 2 else { throw FakeEmulabError("ssh-keygen -l \(key).pub: \(output.stderr)") }
        return String(fields[1])
    }
}
