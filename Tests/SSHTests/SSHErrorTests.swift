import Testing
@testable import SSH

/// The error sentences name what the user needs to act on.
@Suite struct SSHErrorTests {
    @Test func hostKeyChangedNamesHostAddressAndRemedy() {
        let error = SSHError.hostKeyChanged(host: "node1", address: "10.0.0.2", port: 22,
                                            fingerprint: "SHA256:abc", knownHostsPath: "/root/.ssh/known_hosts")
        #expect(error.description.hasPrefix("host key for node1 (10.0.0.2:22) changed: "))
        #expect(error.description.contains("remove the old key from known_hosts if the change is expected"))
    }

    @Test func permissionDeniedListsWhatWasTried() {
        let error = SSHError.permissionDenied(user: "alice", host: "node1", tried: ["agent (2 keys)", "~/.ssh/id_ed25519"])
        #expect(error.description == "permission denied for alice@node1: tried agent (2 keys), ~/.ssh/id_ed25519")
    }
}
