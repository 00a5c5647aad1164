import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// One node of a FakeEmulab: a network namespace with eth0 on the control network, eth1 on the
/// experiment network and, unless it has none, a real sshd with a file system of its own.
struct FakeEmulabNode {
    let name: String
    /// 0-based position in the fixture's node list; the addresses end in `index + 2`.
    let index: Int
    /// The network namespace (`ip netns`) the node lives in.
    let namespace: String
    /// `<fixture>/nodes/<name>`: sshd's config, host keys and log, and the scratch mount point.
    let directory: String
    let hasSSHD: Bool
    /// Host private keys, made before any sshd starts; `currentKey` indexes the one in use.
    var hostKeys: [String] = []
    var fingerprints: [String] = []
    var currentKey = 0
    /// The running sshd (our child: `ip netns exec` → `unshare` → `sh` → `sshd` keep one pid).
    var sshd: RunningChild?

    var controlAddress: String { "10.77.0.\(index + 2)" }
    var experimentAddress: String { "10.1.1.\(index + 2)" }
    var configPath: String { directory + "/sshd_config" }
    var logPath: String { directory + "/sshd.log" }
    var scratch: String { directory + "/scratch" }
    func hostKeyPath(_ generation: Int) -> String { directory + "/host_ed25519_\(generation)" }

    /// The sshd_config for the current host key. `Subsystem sftp` because OpenSSH 9's scp speaks SFTP;
    /// generous MaxStartups/MaxSessions so that parallel or multiplexed connections are not dropped.
    func config(authorizedKeys: String) -> String {
        var lines = [
            "Port 22",
            "ListenAddress 0.0.0.0",
            "HostKey \(hostKeys[currentKey])",
            "AuthorizedKeysFile \(authorizedKeys)",
            "PidFile none",
            "UsePAM no",
            "StrictModes no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin yes",
            "UseDNS no",
            "PrintMotd no",
            "MaxStartups 100",
            "MaxSessions 100",
        ]
        let sftpServers: [String] = ["/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server", "/usr/libexec/sftp-server"]
        if let sftp = sftpServers.first(where: { access($0, X_OK) == 0 }) {
            lines.append("Subsystem sftp \(sftp)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The shell script run in a private mount namespace before sshd: a tmpfs on the scratch
    /// directory, overlays (upper and work dirs in that tmpfs) on /etc, /usr/local and /var, and a
    /// fresh tmpfs on /run with sshd's privilege separation directory. Whatever the node writes
    /// there is gone with its last process. (Paths hold only [A-Za-z0-9._/-], so no quoting.)
    var mountScript: String {
        var script = ["set -e", "mount -t tmpfs -o mode=0700 mlf-scratch \(scratch)"]
        for (directory, label) in [("/etc", "etc"), ("/usr/local", "usr-local"), ("/var", "var")] {
            let upper = "\(scratch)/\(label).upper", work = "\(scratch)/\(label).work"
            script.append("mkdir \(upper) \(work)")
            script.append("mount -t overlay mlf-\(label) -o lowerdir=\(directory),upperdir=\(upper),workdir=\(work) \(directory)")
        }
        script.append("mount -t tmpfs -o mode=0755 mlf-run /run")
        script.append("mkdir -p /run/sshd")
        script.append("exec /usr/sbin/sshd -D -e -f \(configPath)")
        return script.joined(separator: "\n")
    }

    /// The node's row of the portal's List View table (tab separated; the SSH command is one
    /// column with spaces). Sources/Lab/ListView.swift finds the name by its `role-N` shape, the
    /// host after `ssh [-p N]`, and takes `d430` as the hardware type since `pcNNN` comes first.
    var listViewLine: String {
        [name, "pc\(601 + index)", "d430", "ready", "n/a",
         "emulab-ops/UBUNTU22-64-STD ssh -p 22 root@\(controlAddress)"].joined(separator: "\t")
    }

    /// The List View's column titles; ListView.swift skips a line whose first word is `ID`.
    static let listViewHeader = ["ID", "Node", "Type", "Status", "Startup", "Image SSH command"].joined(separator: "\t")

    /// Whether `name` can name a node: a file-name-safe word that is not one of the fixture's own
    /// namespaces.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name != "sw" && name != "ctl" && name.count <= 40
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
