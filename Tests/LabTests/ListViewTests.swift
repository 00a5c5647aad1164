import Foundation
import Lab
import Protocols
import Testing

/// The parse error for `text`, or nil if it parsed.
private func failure(_ text: String) -> ListViewError? {
    do {
        _ = try ListView.parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct ListViewTests {
    /// The layout documented for the artifact (orchestration spec §1.1): TABs, TAB+4 spaces after
    /// `proxy-N`, one space between the image and `ssh`.
    static let documented = """
        sequencer-0\tpc601\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc601.emulab.net
        sequencer-1\tpc602\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc602.emulab.net
        proxy-0\t    pc610\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc610.emulab.net
        proxy-1\t    pc611\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc611.emulab.net
        client-0\tpc620\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc620.emulab.net
        """

    @Test func documentedExampleParses() throws {
        let view = try ListView.parse(Self.documented)
        #expect(view.nodes.map(\.name) == ["client-0", "proxy-0", "proxy-1", "sequencer-0", "sequencer-1"])
        let proxy = try #require(view.nodes.first { $0.name == "proxy-1" })
        #expect(proxy == ListViewNode(name: "proxy-1", role: .proxy, index: 1, host: "pc611.emulab.net", port: 22,
                                      user: "alice", hardwareType: "d430", line: 4))
    }

    /// The README's literal sample keeps the `pc###` placeholder; it must be refused, not half-parsed.
    @Test func readmePlaceholdersAreRefused() {
        let placeholder = "sequencer-0\tpc###\td430\tready\tn/a\tproject/image ssh -p 22 username@pc###.emulab.net"
        #expect(failure(placeholder) == .noSSHCommand(
            line: 1, name: "sequencer-0", problem: "has SSH host 'pc###.emulab.net', which is not a host name or IPv4 address"))
        // The seed README's scraped copy lost the destination after `ssh -p 22`.
        let truncated = "sequencer-0 pc### d430 ready n/a project/image ssh -p 22"
        #expect(failure(truncated)?.description
            == "line 1: node 'sequencer-0' has an SSH command without a host; copy the node's whole row including the SSH command column ('ssh -p 22 user@host')")
    }

    @Test func tabsAndSpacesGiveTheSameNodes() throws {
        let tabs = try ListView.parse(Self.documented)
        let spaces = try ListView.parse(Self.documented.replacingOccurrences(of: "\t", with: "   "))
        let single = try ListView.parse(Self.documented.replacingOccurrences(of: "\t", with: " "))
        #expect(tabs == spaces)
        #expect(tabs == single)
        #expect(tabs.nodes.count == 5)
    }

    /// The "6 to 7" failure: one more column before the SSH command (here an image with a space and
    /// a leading row number) shifted the fixed token index in the original.
    @Test func extraColumnsAnywhereDoNotMatter() throws {
        let base = try ListView.parse("proxy-3\tpc611\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc611.emulab.net")
        let shifted = [
            "proxy-3\tpc611\td430\tready\tn/a\tproject/my image ssh -p 22 alice@pc611.emulab.net",
            "7\tproxy-3\tpc611\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc611.emulab.net",
            "proxy-3\tpc611\td430\tready\tn/a\tproject/image\tssh -p 22 alice@pc611.emulab.net\tUtah\textra",
            "proxy-3\tpc611\td430\tready\tproject/image ssh -p 22 alice@pc611.emulab.net", // a column fewer
        ]
        for line in shifted {
            #expect(try ListView.parse(line) == base, "\(line)")
        }
        #expect(base.nodes[0].host == "pc611.emulab.net")
        #expect(base.nodes[0].hardwareType == "d430")
    }

    @Test func headersAndBlankLinesAreSkipped() throws {
        let text = """
            ID\tNode\tType\tStatus\tStartup\tImage\tSSH command

            Node  Name  SSH command (if you provided your own key)
            \t  \t
            proxy-0\tpc610\td430\tready\tn/a\tproject/image ssh -p 22 alice@pc610.emulab.net

            """
        let view = try ListView.parse(text)
        #expect(view.nodes.map(\.name) == ["proxy-0"])
        #expect(view.nodes[0].line == 5)
    }

    @Test func crlfTrailingWhitespaceAndBOM() throws {
        let plain = try ListView.parse(Self.documented)
        let crlf = Self.documented.replacingOccurrences(of: "\n", with: "  \t\r\n") + "\r\n"
        #expect(try ListView.parse(crlf) == plain)
        #expect(try ListView.parse("\u{FEFF}" + crlf) == plain)
        // Line numbers in errors count CRLF lines once.
        #expect(failure("\r\nproxy-0 ssh a@b\r\nrouter-1 ssh a@b\r\n") == .unknownRole(line: 3, name: "router-1"))
    }

    @Test func sshCommandShapes() throws {
        let view = try ListView.parse("""
            proxy-0 ssh alice@h0.example
            proxy-1 ssh -p2222 -o StrictHostKeyChecking=no bob@h1.example -t extra words
            proxy-2 ssh -l carol -i /home/carol/.ssh/id h2.example
            proxy-3 ssh h3.example
            proxy-4 pc4 d430 dave@h4.example
            proxy-5 ssh ssh://erin@10.0.0.5:2200
            """)
        let summary = view.nodes.map { "\($0.name) \($0.user ?? "-")@\($0.host):\($0.port)" }
        #expect(summary == [
            "proxy-0 alice@h0.example:22", "proxy-1 bob@h1.example:2222", "proxy-2 carol@h2.example:22",
            "proxy-3 -@h3.example:22", "proxy-4 dave@h4.example:22", "proxy-5 erin@10.0.0.5:2200",
        ])
    }

    @Test func hardwareTypeByShape() throws {
        let view = try ListView.parse("""
            client-0 pc620 c220g5 ready n/a p/i ssh -p 22 a@pc620.emulab.net
            client-1 clnode045 c6525-25g ready n/a p/i ssh -p 22 a@155.98.36.45
            client-2 pc622 ready n/a p/i ssh -p 22 a@pc622.emulab.net
            client-3 ssh a@h3
            """)
        #expect(view.nodes.map(\.hardwareType) == ["c220g5", "c6525-25g", nil, nil])
    }

    @Test func namesSortNaturallyWithRolesAndIndexes() throws {
        let text = ["proxy-10", "proxy-2", "server-1", "client-0", "proxy-1", "sequencer-0"]
            .map { "\($0) ssh u@\($0).example" }.joined(separator: "\n")
        let view = try ListView.parse(text)
        #expect(view.nodes.map(\.name) == ["client-0", "proxy-1", "proxy-2", "proxy-10", "sequencer-0", "server-1"])
        #expect(view.nodes.map(\.role) == [.client, .proxy, .proxy, .proxy, .sequencer, .server])
        #expect(view.nodes.map(\.index) == [0, 1, 2, 10, 0, 1])
        #expect(view.nodes.map(\.line) == [4, 5, 2, 1, 6, 3])
    }

    @Test func nodesRoundTripThroughJSON() throws {
        let nodes = try ListView.parse(Self.documented).nodes
        let decoded = try JSONDecoder().decode([ListViewNode].self, from: JSONEncoder().encode(nodes))
        #expect(decoded == nodes)
    }

    // MARK: - Errors

    @Test func noNodeName() {
        let e = failure("proxy-0 ssh a@h\npc601 d430 ready ssh a@pc601.emulab.net")
        #expect(e == .noNodeName(line: 2, text: "pc601 d430 ready ssh a@pc601.emulab.net"))
        #expect(e?.description
            == "line 2: no node name of the form role-N (e.g. proxy-0) in 'pc601 d430 ready ssh a@pc601.emulab.net'; paste the node's whole row from the List View or delete the line")
    }

    @Test func unknownRole() {
        let text = (0 ..< 6).map { "proxy-\($0) ssh a@h\($0)" }.joined(separator: "\n") + "\nrouter-1 ssh a@h9"
        let e = failure(text)
        #expect(e == .unknownRole(line: 7, name: "router-1"))
        #expect(e?.description.hasPrefix("line 7: 'router-1' is not a masonlab role (sequencer, proxy, client, server)") == true)
        #expect(e?.description.contains("rename") == true)
    }

    @Test func missingSSHCommandAndBadPort() {
        #expect(failure("proxy-0 pc610 d430 ready")?.description
            == "line 1: node 'proxy-0' has no SSH command; copy the node's whole row including the SSH command column ('ssh -p 22 user@host')")
        #expect(failure("proxy-0 ssh @pc610") == .noSSHCommand(
            line: 1, name: "proxy-0", problem: "has an SSH command with an empty user before '@'"))
        #expect(failure("proxy-0 ssh -p 70000 a@pc610")?.description
            == "line 1: node 'proxy-0' has SSH port '70000', which is not a number from 1 to 65535; fix the '-p' value of its SSH command")
        #expect(failure("proxy-0 ssh -p x a@pc610") == .invalidPort(line: 1, name: "proxy-0", port: "x"))
    }

    @Test func duplicateNameNamesBothLines() {
        let e = failure("proxy-0 ssh a@h0\nproxy-1 ssh a@h1\n\nproxy-0 ssh a@h2")
        #expect(e == .duplicateName(name: "proxy-0", firstLine: 1, secondLine: 4))
        #expect(e?.description
            == "lines 1 and 4: node name 'proxy-0' appears twice; every node needs a unique name, so delete or rename one of them")
    }

    @Test func emptyLists() {
        for text in ["", "\n\n", "\u{FEFF}", " \t\r\n", "ID Node Type SSH command\n\n"] {
            #expect(failure(text) == .emptyList, "\(text.debugDescription)")
        }
        #expect(ListViewError.emptyList.description.contains("List View"))
    }

    @Test func indexTooLarge() {
        #expect(failure("proxy-99999999999999999999999 ssh a@h")
            == .indexTooLarge(line: 1, name: "proxy-99999999999999999999999"))
    }

    @Test func loadReadsFilesAndExplainsMissingOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("listview-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("machine_list.txt")
        try Data(("\u{FEFF}" + Self.documented).utf8).write(to: file)
        #expect(try ListView.load(path: file.path) == ListView.parse(Self.documented))

        let missing = dir.appendingPathComponent("nope.txt").path
        #expect(throws: ListViewError.unreadableFile(path: missing, reason: "no such file")) {
            try ListView.load(path: missing)
        }
        #expect(throws: ListViewError.unreadableFile(path: dir.path, reason: "it is a directory")) {
            try ListView.load(path: dir.path)
        }
        #expect(ListViewError.unreadableFile(path: "/x", reason: "no such file").description
            == "cannot read List View file '/x' (no such file); check the path, or paste the experiment's List View into that file")
    }

    // MARK: - Never trap

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 0x5EED)
        var parsed = 0
        for _ in 0 ..< 3000 {
            let bytes = (0 ..< Int.random(in: 0 ... 200, using: &rng)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            if (try? ListView.parse(String(decoding: bytes, as: UTF8.self))) != nil { parsed += 1 }
        }
        #expect(parsed == 0) // random bytes are never a valid List View; the point is that none trapped
    }

    /// Token soup near the grammar reaches the deeper paths (options, ports, destinations).
    @Test func randomTokenSoupNeverTraps() throws {
        let vocabulary = ["ssh", "-p", "-p22", "-l", "-o", "-", "@", "a@", "@h", "a@h", "a@pc1.x", "ssh://a@h:",
                          "ssh://h:99999", "proxy-1", "client-0", "router-2", "proxy-", "-1", "d430", "pc601",
                          "ID", "SSH command", "\t", " ", "\r\n", "\n", "\u{FEFF}", "é", "🙂", "\u{0}", "99999999999999999999"]
        var rng = SplitMix64(seed: 42)
        var outcomes: Set<String> = []
        for _ in 0 ..< 5000 {
            let text = (0 ..< Int.random(in: 0 ... 24, using: &rng))
                .map { _ in vocabulary.randomElement(using: &rng)! }.joined(separator: " ")
            do {
                let view = try ListView.parse(text)
                outcomes.insert("ok")
                #expect(!view.nodes.isEmpty)
                #expect(view.nodes.allSatisfy { (1 ... 65535).contains($0.port) && !$0.host.isEmpty })
            } catch {
                outcomes.insert(String(describing: error).prefix(while: { $0 != "(" }).description)
                #expect(!error.description.isEmpty)
            }
        }
        #expect(outcomes.contains("ok"))
        #expect(outcomes.count >= 5)
    }
}
