import Foundation
import Testing

/// `masonlab simulate`'s fault flags as a user gives them: a flag given twice is two faults or
/// refused (never silently the last), and a fault that cannot hit fails the seed, saying why.
@Suite struct SimulateFaultFlagTests {
    struct Record: Decodable {
        struct Recovery: Decodable {
            var fault: String
            var at_s, hit_s, recovery_ms: Double?
        }

        var ok: Bool
        var failures: [String: String]?
        var recoveries: [Recovery]?
        var replay: String?
    }

    func record(_ arguments: [String]) throws -> (status: Int32, record: Record, stderr: String) {
        let result = try SimulateCommandTests.masonlab(["simulate", "--concurrency", "2", "--json-lines"] + arguments)
        let record = try JSONDecoder().decode(Record.self, from: Data(result.stdout.utf8))
        return (result.status, record, result.stderr)
    }

    /// Five replicas, so the group keeps a majority after two kills.
    @Test func killLeaderGivenTwiceIsTwoKills() throws {
        let (status, record, stderr) = try record(["--replicas", "5", "--kill-leader", "0.3", "--kill-leader", "0.6"])
        #expect(status == 0, "stderr: \(stderr)")
        let recoveries = try #require(record.recoveries)
        #expect(recoveries.map(\.fault) == ["kill-leader", "kill-leader"])
        #expect(recoveries.map(\.at_s) == [0.3, 0.6])
        #expect(recoveries.allSatisfy { $0.hit_s != nil && $0.recovery_ms != nil })
    }

    @Test(arguments: [
        ["--kill-sequencer", "0.3", "--kill-sequencer", "0.5"],
        ["--kill-sequencer", "0.3", "--crash", "sequencer:0.5"],
        ["--crash", "proxy-0-1:0.3", "--crash", "proxy-0-1:0.5"],
    ])
    func aRoleCrashedTwiceIsRefused(arguments: [String]) throws {
        let result = try SimulateCommandTests.masonlab(["simulate"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.split(whereSeparator: \.isNewline).count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("which stays down after the first"), "stderr: \(result.stderr)")
    }

    /// Two of group 0's three replicas down: no leader can be elected, so the kill never hits.
    @Test func aKillThatNeverHitsFailsTheSeedWithItsReplay() throws {
        let (status, record, _) = try record(["--crash", "proxy-0-0:0.1", "--crash", "proxy-0-1:0.1", "--kill-leader", "0.5"])
        #expect(status == 1)
        #expect(!record.ok)
        #expect(record.failures?["faultsHit"]?.contains("--kill-leader 0.5 never hit") == true, "\(String(describing: record.failures))")
        let kill = record.recoveries?.first { $0.fault == "kill-leader" }
        #expect(kill != nil && kill?.hit_s == nil)
        #expect(record.replay?.contains("--crash proxy-0-0:0.1 --crash proxy-0-1:0.1") == true)
        #expect(record.replay?.contains("--kill-leader 0.5") == true)
    }

    @Test func aSystemNotBuiltIsRefused() throws {
        let result = try SimulateCommandTests.masonlab(["simulate", "--system", "corfu"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the corfu system is not built yet"), "stderr: \(result.stderr)")
    }
}
