import Foundation
import Testing

/// `masonlab` run as a user runs it: a subprocess, its exit code, its output.
@Suite struct SimulateCommandTests {
    typealias Result = BuiltBinary.Result

    static var binaryURL: URL { BuiltBinary.url("masonlab") }

    static func masonlab(_ arguments: [String]) throws -> Result { try BuiltBinary.run("masonlab", arguments) }

    @Test(arguments: [
        (["--nclients", "-1"], "--nclients"),
        (["--nsequence-spaces", "0"], "--nsequence-spaces"),
        (["--nsequence-spaces", "65"], "--nsequence-spaces"),
        (["--drop", "1.5"], "--drop"),
        (["--system", "paxos"], "paxos"),
        (["--concurrency", "0"], "--concurrency"),
        (["--delay-us", "50-10"], "--delay-us"),
        (["--demand", "9"], "--demand"),
        (["--replicas", "4"], "--replicas"),
        (["--kill-leader", "9", "--duration", "1"], "--kill-leader"),
        (["--partition", "0.5"], "--partition"),
        (["--crash", "proxy-7-0:0.5"], "proxy-7-0"),
        (["--seeds", "0"], "--seeds"),
    ])
    func badFlagValuesExitTwoWithOneSentence(arguments: [String], names: String) throws {
        let result = try Self.masonlab(["simulate"] + arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(whereSeparator: \.isNewline)
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(names), "stderr: \(result.stderr)")
    }

    @Test func helpDocumentsEveryFlag() throws {
        let result = try Self.masonlab(["simulate", "--help"])
        #expect(result.status == 0)
        for flag in ["--system", "--proxy-groups", "--replicas", "--nclients", "--nclient-threads", "--nsequence-spaces",
                     "--concurrency", "--demand", "--duration", "--seed", "--seeds", "--drop", "--duplicate", "--reorder",
                     "--delay-us", "--batch-timeout-us", "--max-batch-ops", "--max-log-size", "--bitmap-block-size",
                     "--bitmap-initial-blocks", "--gc-interval-us", "--kill-leader", "--kill-sequencer", "--partition",
                     "--crash", "--json", "--quiet"] {
            #expect(result.stdout.contains(flag), "help lacks \(flag)")
        }
    }

    @Test func jsonReportsEveryInvariantForEverySeed() throws {
        let result = try Self.masonlab(["simulate", "--system", "mason", "--seeds", "3", "--duration", "0.05",
                                        "--drop", "0.05", "--duplicate", "0.05", "--reorder", "0.2", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let seeds = try #require(document?["seeds"] as? [[String: Any]])
        #expect(seeds.map { $0["seed"] as? Int } == [1, 2, 3])
        for seed in seeds {
            #expect(seed["ok"] as? Bool == true)
            let invariants = try #require(seed["invariants"] as? [String: Bool])
            #expect(invariants.count >= 8 && invariants.values.allSatisfy { $0 })
            #expect((seed["ops"] as? Int ?? 0) > 0)
        }
    }
}
