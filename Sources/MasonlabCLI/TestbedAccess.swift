import ArgumentParser
import Foundation
import Lab

/// How masonlab reaches testbed nodes over SSH (setup and the emulab testbed).
struct SSHOptions: ParsableArguments {
    @Option(help: "The user on the nodes (default: the one in the List View's ssh command, else yours).")
    var user: String?

    @Option(name: .customLong("identity"), help: ArgumentHelp("A private key file; repeat for several (default: the ssh-agent, then ~/.ssh/id_ed25519 and ~/.ssh/id_rsa).", valueName: "KEY"))
    var identities: [String] = []

    @Option(name: .customLong("known-hosts"), help: ArgumentHelp("The known_hosts file host keys are checked against and new ones recorded in (default ~/.ssh/known_hosts).", valueName: "FILE"))
    var knownHosts: String?

    @Option(name: .customLong("inventory"), help: ArgumentHelp("The node inventory masonlab setup writes and the emulab testbed reads.", valueName: "FILE"))
    var inventory: String = "machine_info.json"

    func validate() throws {
        for key in identities where !FileManager.default.isReadableFile(atPath: key) {
            throw ValidationError("--identity: cannot read \(key).")
        }
    }

    /// New host keys are shown as they are recorded.
    var settings: SSHSettings {
        SSHSettings(user: user, identities: identities, knownHosts: knownHosts) { node, key in
            FileHandle.standardError.write(Data("masonlab: \(node): \(key)\n".utf8))
        }
    }
}

/// `--testbed local` or `--testbed emulab`: `--help` lists them, and any other name exits 2.
extension TestbedKind: ExpressibleByArgument {}

/// The testbed `--testbed` names; an unreadable inventory is bad input (exit 2).
func makeTestbed(_ kind: TestbedKind, ssh: SSHOptions) throws -> Testbed {
    guard kind == .emulab else { return LocalTestbed(masond: LocalDaemons.masond()) }
    let inventory: Inventory
    do {
        inventory = try Inventory.load(path: ssh.inventory)
    } catch {
        throw CommandFailure("\(error)", status: ExitStatus.usage)
    }
    return EmulabTestbed(inventory: inventory, ssh: ssh.settings) { message in
        FileHandle.standardError.write(Data("masonlab: \(message)\n".utf8))
    }
}
