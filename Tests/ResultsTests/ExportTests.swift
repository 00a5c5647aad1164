import Foundation
import Testing
@testable import Results

@Suite struct ExportTests {
    /// Two runs: one failed then succeeded with two clients and a fault, one failed for good.
    func populatedStore(_ scratch: ScratchDirectory) throws -> (ResultsStore, RunID, RunID) {
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let sweep = try store.beginSweep(figure: "fig3", mode: nil, scale: "local", trials: 1)
        let good = try store.run(sweep: sweep, pointKey: "s=2", system: .mason, parameters: ["nsequence_spaces": 2, "run": "x"],
                                 configuration: testConfiguration, testbed: "local", masonlabVersion: "test")
        let bad = try store.testRun(["nproxies": 6])
        try store.record(attempt(1, .failed(reason: "proxy 3, then proxy 4, did not start"), nodes: []), run: good)
        try store.record(attempt(2, nodes: [node([client(endpoint: 100, samples: [10, 20, 30]), client(endpoint: 101, samples: [40])])],
                                 recovery: RecoveryCurve(intervalMillis: 10, warmupMillis: 20, highestContiguous: [[-1, 4], [2, 5]], completions: [3, 4]),
                                 faults: [FaultEvent(kind: "kill-leader", target: "proxy-2", atSeconds: 0.5)]),
                         run: good)
        try store.record(attempt(1, .failed(reason: "timeout"), nodes: []), run: bad)
        return (store, good, bad)
    }

    @Test func csvHasOneRowPerAttemptAndOnePerClient() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (store, good, bad) = try populatedStore(scratch)
        let (attempts, clients) = try store.exportCSV()
        // Fixed columns, then the parameters (a parameter named like a column is prefixed).
        #expect(attempts.header.prefix(3) == ["run", "sweep", "figure"])
        #expect(attempts.header.suffix(3) == ["nproxies", "nsequence_spaces", "param_run"])
        #expect(attempts.rows.count == 3)
        #expect(attempts.rows.allSatisfy { $0.count == attempts.header.count })
        func column(_ name: String, _ row: [String]) -> String { row[attempts.header.firstIndex(of: name)!] }
        #expect(attempts.rows.map { column("run", $0) } == [good, good, bad].map(\.description))
        #expect(attempts.rows.map { column("outcome", $0) } == ["failed", "succeeded", "failed"])
        #expect(column("throughput_ops", attempts.rows[1]) == "2.0")
        #expect(column("faults", attempts.rows[1]) == "kill-leader@0.5s:proxy-2")
        #expect(column("nproxies", attempts.rows[2]) == "6")
        #expect(column("nsequence_spaces", attempts.rows[2]) == "")
        #expect(column("figure", attempts.rows[0]) == "fig3")

        #expect(clients.header.prefix(4) == ["run", "attempt", "node", "endpoint"])
        #expect(clients.rows.count == 2)
        #expect(clients.rows.map { $0[3] } == ["100", "101"])
        #expect(clients.rows[0][clients.header.firstIndex(of: "latency_count")!] == "3")
        #expect(clients.rows[0][clients.header.firstIndex(of: "p50_us")!] == "20")

        // A reason with commas is quoted; the text parses back to the same number of lines.
        let text = attempts.text
        #expect(text.contains("\"proxy 3, then proxy 4, did not start\""))
        #expect(text.split(separator: "\n").count == 4)
    }

    @Test func csvColumnsKeepTheirNamesAndOrder() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (store, _, _) = try populatedStore(scratch)
        let (attempts, clients) = try store.exportCSV()
        #expect(attempts.header == ["run", "sweep", "figure", "mode", "scale", "point", "trial", "system", "testbed", "masonlab_version",
                                    "run_status", "attempt", "started", "ended", "outcome", "reason", "measured_seconds",
                                    "interval_millis", "clients", "completed_in_window", "throughput_ops", "p50_us", "p99_us",
                                    "p999_us", "p9999_us", "faults", "nproxies", "nsequence_spaces", "param_run"])
        #expect(clients.header == ["run", "attempt", "node", "endpoint", "group", "crashed", "completed", "completed_in_window",
                                   "retransmissions", "failovers", "latency_count", "p50_us", "p99_us", "p999_us", "p9999_us"])
        // A failed attempt has no summary: its cells are empty, and the row still has every column.
        let failed = attempts.rows[0]
        #expect(failed.count == attempts.header.count)
        #expect(failed[attempts.header.firstIndex(of: "p50_us")!] == "")
        #expect(failed[attempts.header.firstIndex(of: "mode")!] == "")
        #expect(clients.rows[0][clients.header.firstIndex(of: "crashed")!] == "false")
    }

    @Test func jsonWritesAbsentValuesAsNullNotLeftOut() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (store, _, _) = try populatedStore(scratch)
        let document = try #require(try JSONSerialization.jsonObject(with: try store.exportJSON()) as? [String: Any])
        let sweep = try #require((document["sweeps"] as? [[String: Any]])?.first)
        #expect(sweep["mode"] is NSNull)
        #expect(sweep["finished"] is NSNull)
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs[1]["sweep"] is NSNull)
        #expect(runs[1]["point"] is NSNull)
        let failed = try #require((runs[0]["attempts"] as? [[String: Any]])?.first)
        for key in ["throughput_ops", "p50_us", "p99_us", "p999_us", "p9999_us", "recovery"] {
            #expect(failed[key] is NSNull, "\(key): \(String(describing: failed[key]))")
        }
        let fault = try #require(((runs[0]["attempts"] as? [[String: Any]])?[1]["faults"] as? [[String: Any]])?.first)
        #expect(fault["end_seconds"] is NSNull)
        #expect(String(decoding: try store.exportJSON(), as: UTF8.self).hasPrefix(#"{"runs":[{"attempts":[{"client_results":[]"#))
    }

    @Test func jsonHoldsEverythingNested() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (store, good, _) = try populatedStore(scratch)
        let object = try JSONSerialization.jsonObject(with: try store.exportJSON()) as? [String: Any]
        let document = try #require(object)
        #expect(document["schema"] as? Int == ResultsSchema.current.latestVersion)
        let sweeps = try #require(document["sweeps"] as? [[String: Any]])
        #expect(sweeps.map { $0["figure"] as? String } == ["fig3"])
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        let run = runs[0]
        #expect(run["run"] as? Int == Int(good.rawValue))
        let params = try #require(run["params"] as? [String: Any])
        #expect(params["nsequence_spaces"] as? Int == 2)
        #expect(params["run"] as? String == "x")
        #expect((run["configuration"] as? [String: Any])?["warmupMillis"] as? Int == 500)
        let attempts = try #require(run["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["outcome"] as? String } == ["failed", "succeeded"])
        #expect(attempts[0]["reason"] as? String == "proxy 3, then proxy 4, did not start")
        let succeeded = attempts[1]
        #expect(succeeded["throughput_ops"] as? Double == 2)
        #expect(succeeded["p50_us"] as? Int == 20)
        let clients = try #require(succeeded["client_results"] as? [[String: Any]])
        #expect(clients.map { $0["endpoint"] as? Int } == [100, 101])
        #expect(clients[0]["latency_us"] as? [[Int]] == [[10, 1], [20, 1], [30, 1]])
        #expect(clients[0]["completions"] as? [Int] == [3, 4, 5])
        let nodes = try #require(succeeded["nodes"] as? [[String: Any]])
        #expect((nodes[0]["sequencers"] as? [[String: Any]])?.first?["allocations"] as? Int == 9)
        let recovery = try #require(succeeded["recovery"] as? [String: Any])
        #expect(recovery["highest_contiguous"] as? [[Int]] == [[-1, 4], [2, 5]])
        #expect((succeeded["faults"] as? [[String: Any]])?.first?["kind"] as? String == "kill-leader")
        #expect((succeeded["started"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func emptyDatabasesExportEmptyTables() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let (attempts, clients) = try store.exportCSV()
        #expect(attempts.rows.isEmpty && clients.rows.isEmpty)
        #expect(attempts.text == AttemptCSVRow.columns.joined(separator: ",") + "\n")
        #expect(clients.text == ClientCSVRow.columns.joined(separator: ",") + "\n")
        let document = try JSONSerialization.jsonObject(with: try store.exportJSON()) as? [String: Any]
        #expect((document?["runs"] as? [Any])?.isEmpty == true)
    }
}
