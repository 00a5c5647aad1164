import Foundation
import Lab
import Results
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--pause` and `--partition` as read and checked, their stored parameters, the nftables rules of
/// a partition, and the local nemesis against real processes and the real loopback.
@Suite(.serialized) struct NemesisTests {
    @Test func pausesAndPartitionsAreReadInTheSimulatorsWords() throws {
        #expect(try NemesisArguments.pause("leader:1:0.5") == .pause(role: .leader, at: 1, duration: 0.5))
        #expect(try NemesisArguments.pause("sequencer:0:2") == .pause(role: .sequencer, at: 0, duration: 2))
        #expect(try NemesisArguments.pause("backup:1.5:1") == .pause(role: .backup, at: 1.5, duration: 1))
        #expect(try NemesisArguments.pause("proxy-1-2:1:1") == .pause(role: .proxy(group: 1, replica: 2), at: 1, duration: 1))
        #expect(try NemesisArguments.pause("client-3:1:1") == .pause(role: .client(3), at: 1, duration: 1))
        #expect(try NemesisArguments.partition("2.5:0.8") == .partition(at: 2.5, duration: 0.8))
    }

    /// Each bad value is refused with one sentence naming the flag and the part that is wrong.
    @Test(arguments: [
        ("leader:1", "expected ROLE:T:DURATION"),
        ("leader:1:0.5:2", "expected ROLE:T:DURATION"),
        ("chief:1:1", "'chief' is not a role"),
        ("client-00:1:1", "'client-00' is not a role"),
        ("client--1:1:1", "'client--1' is not a role"),
        ("proxy-0-3:1:1", "'proxy-0-3' is not a role"),
        ("leader:-1:1", "T must be seconds"),
        ("leader:nan:1", "T must be seconds"),
        ("leader:1:0", "DURATION must be a positive"),
        ("leader:1:inf", "DURATION must be a positive"),
        ("leader:1:1e400", "DURATION must be a positive"),
    ])
    func badPausesAreRefusedWithTheirFault(text: String, expected: String) {
        #expect { _ = try NemesisArguments.pause(text) } throws: { error in
            "\(error)".hasPrefix("--pause '\(text)'") && "\(error)".contains(expected)
        }
    }

    @Test func badPartitionsAreRefusedWithTheirFault() {
        for (text, expected) in [("2", "expected T:DURATION"), ("a:1", "T must be"), ("1:-2", "DURATION must be"), ("1:2:3", "expected")] {
            #expect { _ = try NemesisArguments.partition(text) } throws: { "\($0)".contains(expected) && "\($0)".hasPrefix("--partition") }
        }
    }

    @Test func faultsMustEndInsideTheMeasurementAndNameRolesTheRunHas() throws {
        let ok: [ScheduledFault] = [.pause(role: .leader, at: 1, duration: 0.5), .partition(at: 2.5, duration: 0.8), .killSequencer(at: 2.1),
                                    .pause(role: .sequencer, at: 1, duration: 1), .killLeader(at: 1.2),
                                    .partition(at: 3.3, duration: 0.7), .pause(role: .proxy(group: 1, replica: 0), at: 0, duration: 4)]
        try NemesisArguments.check(ok, duration: 4, groups: 2, clients: 4)
        let refused: [([ScheduledFault], String)] = [
            ([.pause(role: .leader, at: 3, duration: 2)], "ends at 5.0 s, after the measurement (0...4.0 s)"),
            ([.partition(at: 3.5, duration: 0.6)], "ends at 4.1 s"),
            ([.pause(role: .proxy(group: 2, replica: 0), at: 1, duration: 1)], "there is no group 2; this run has groups 0...1"),
            ([.pause(role: .client(4), at: 1, duration: 1)], "there is no client 4; this run has clients 0...3"),
            ([.partition(at: 1, duration: 1), .partition(at: 1.5, duration: 1)], "--partition 1.0:1.0 and --partition 1.5:1.0 overlap"),
            ([.pause(role: .sequencer, at: 1, duration: 1), .killSequencer(at: 1.5)], "--kill-sequencer 1.5 falls inside --pause sequencer:1.0:1.0"),
        ]
        for (faults, expected) in refused {
            #expect { try NemesisArguments.check(faults, duration: 4, groups: 2, clients: 4) } throws: { "\($0)".contains(expected) }
        }
    }

    /// Lasting faults are stored as their flags' values, so a run says what it was asked to do.
    @Test func pausesAndPartitionsAreStableRunParameters() {
        var spec = RunSpec()
        spec.faults = [.killLeader(at: 1), .pause(role: .leader, at: 1, duration: 0.5), .pause(role: .proxy(group: 0, replica: 2), at: 2, duration: 1),
                       .partition(at: 2.5, duration: 0.8)]
        let p = spec.parameters
        #expect(p["kill_leader_s"] == .double(1))
        #expect(p["pause"] == .string("leader:1.0:0.5,proxy-0-2:2.0:1.0"))
        #expect(p["partition"] == .string("2.5:0.8"))
        #expect(p.keys.contains { $0.hasPrefix("pause_") } == false)
    }

    @Test func aRunSpecWithPausesSurvivesItsStoredConfiguration() throws {
        var spec = RunSpec()
        spec.faults = [.pause(role: .client(2), at: 1, duration: 0.5), .partition(at: 2, duration: 1), .killSequencer(at: 3)]
        let decoded = try JSONDecoder().decode(RunSpec.self, from: JSONEncoder().encode(spec))
        #expect(decoded == spec)
        #expect(String(decoding: try JSONEncoder().encode(spec.faults[0]), as: UTF8.self).contains("\"client-2\""))
    }

    @Test func partitionRulesDropBothWaysBetweenTheCutAndTheOthersOnly() throws {
        let local = try PartitionRules(table: "masonlab_42", cut: ["127.0.1.3"], others: ["127.0.1.1", "127.0.1.2"], outgoing: false)
        #expect(local.ruleset.contains("set cut { type ipv4_addr; elements = { 127.0.1.3 } }"))
        #expect(local.ruleset.contains("set others { type ipv4_addr; elements = { 127.0.1.1, 127.0.1.2 } }"))
        #expect(local.ruleset.contains("hook input priority -10; policy accept; ip saddr @cut ip daddr @others drop; ip saddr @others ip daddr @cut drop;"))
        #expect(!local.ruleset.contains("hook output"))
        #expect(local.ruleset.hasPrefix("table inet masonlab_42\ndelete table inet masonlab_42\n"))
        let emulab = try PartitionRules(table: "masonlab_42", cut: ["10.1.1.3"], others: ["10.1.1.1"], outgoing: true)
        #expect(emulab.ruleset.contains("hook output"))
        #expect(PartitionRules.isIPv4("127.0.1.3") && !PartitionRules.isIPv4("127.0.1.3; flush ruleset") && !PartitionRules.isIPv4("1.2.3.256"))
        #expect(throws: LabError.self) { try PartitionRules(table: "t", cut: ["10.0.0.1 }; flush ruleset; {"], others: ["10.0.0.2"], outgoing: true) }
        let listing = "table inet filter\ntable inet masonlab_77\ntable ip masonlab_8\ntable inet masonlab_x\n"
        #expect(PartitionRules.masonlabTables(in: listing).map(\.pid) == [77])
    }

    /// SIGSTOP and SIGCONT reach the daemon of the node named; `healAll` continues what is left stopped.
    @Test func theLocalNemesisStopsAndContinuesTheNodesProcess() throws {
        let sleeper = try RunningChild(ChildCommand("/bin/sleep", ["30"]))
        defer { sleeper.stop(grace: 5) }
        let pid = sleeper.pid
        let nemesis = LocalNemesis()
        let node = NodeSlot(name: "proxy-0", address: "127.0.1.3")
        nemesis.daemons([(address: node.address, pid: pid)])
        try nemesis.pause(node)
        try Polling.until("the paused process to stop", within: 5) { Self.state(pid) == "T" }
        try nemesis.resume(node)
        try Polling.until("the resumed process to run", within: 5) { Self.state(pid) != "T" }
        try nemesis.pause(node)
        try Polling.until("the paused process to stop", within: 5) { Self.state(pid) == "T" }
        nemesis.healAll()
        try Polling.until("the resumed process to run", within: 5) { Self.state(pid) != "T" }
        #expect(throws: LabError.self) { try nemesis.pause(NodeSlot(name: "proxy-1", address: "127.0.1.4")) }
    }

    /// A real partition on loopback: datagrams between the cut node and the others are dropped both
    /// ways, others still talk, and healing removes the table (root and nft, else skipped).
    @Test(.prerequisite("the local partition needs root and nft") {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")
    })
    func theLocalPartitionDropsDatagramsBothWaysUntilHealed() throws {
        let nemesis = LocalNemesis()
        try nemesis.check([.partition(at: 0, duration: 1)], nodes: [])
        let cut = NodeSlot(name: "proxy-0", address: "127.0.1.203"), a = NodeSlot(name: "sequencer-0", address: "127.0.1.201"),
            b = NodeSlot(name: "client-0", address: "127.0.1.202")
        let sockets = try [cut, a, b].map { try LoopbackSocket(address: $0.address) }
        defer { sockets.forEach { $0.close() } }
        #expect(sockets[1].delivers(to: sockets[0]))
        try nemesis.partition([cut], from: [a, b])
        defer { nemesis.healAll() }
        #expect(!sockets[1].delivers(to: sockets[0]))
        #expect(!sockets[0].delivers(to: sockets[2]))
        #expect(sockets[1].delivers(to: sockets[2]))
        #expect(Self.nftTables().contains(nemesis.table))
        try nemesis.heal()
        #expect(!Self.nftTables().contains(nemesis.table))
        #expect(sockets[1].delivers(to: sockets[0]) && sockets[0].delivers(to: sockets[2]))
        // healAll after a heal is harmless, and heals a partition left in force.
        try nemesis.partition([cut], from: [a, b])
        nemesis.healAll()
        #expect(!Self.nftTables().contains(nemesis.table))
    }

    static func state(_ pid: pid_t) -> String? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("State:") }?.split(separator: "\t").last.map { String($0.prefix(1)) }
    }

    static func nftTables() -> String {
        (try? ChildProcess.run(ChildCommand("/usr/sbin/nft", ["list", "tables"]), timeout: 30))?.output ?? ""
    }
}

/// A UDP socket bound to a loopback address, to see whether a datagram gets through.
private struct LoopbackSocket {
    let fd: Int32
    let address: sockaddr_in

    init(address text: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr(text)
        a.sin_port = 0
        let bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw LabError("cannot bind \(text)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        address = a
    }

    /// Sends one datagram to `peer`; true when it arrives within 200 ms.
    func delivers(to peer: LoopbackSocket) -> Bool {
        var to = peer.address
        let byte: [UInt8] = [1]
        _ = withUnsafePointer(to: &to) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, byte, 1, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var buffer = [UInt8](repeating: 0, count: 16)
        return recv(peer.fd, &buffer, 16, 0) == 1
    }

    func close() { Glibc.close(fd) }
}
