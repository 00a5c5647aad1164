import Control

/// `results export --json`: the whole database as one document. Keys are the documented
/// snake_case names; an absent optional value is written as `null`, never left out, so pandas
/// and scripts find every column in every row.
public struct ExportDocument: Encodable, Sendable {
    public var schema: Int
    public var sweeps: [Sweep]
    public var runs: [Run]

    public struct Sweep: Encodable, Sendable {
        var id: Int64
        var figure: String
        @ExplicitNull var mode: String?
        var scale: String
        var trials: Int
        var status: String
        /// ISO 8601 UTC with milliseconds, as every time in the export.
        var created: String
        @ExplicitNull var finished: String?
    }

    public struct Run: Encodable, Sendable {
        var run: Int64
        @ExplicitNull var sweep: Int64?
        @ExplicitNull var point: String?
        var trial: Int
        var system: String
        var params: RunParameters
        /// The stored run configuration; its text when it no longer parses.
        var configuration: JSONValue
        var masonlabVersion: String
        var testbed: String
        var status: String
        var created: String
        var attempts: [Attempt]

        enum CodingKeys: String, CodingKey {
            case run, sweep, point, trial, system, params, configuration, masonlabVersion = "masonlab_version", testbed, status,
                 created, attempts
        }
    }

    public struct Attempt: Encodable, Sendable {
        var number: Int
        var started: String
        var ended: String
        var outcome: String
        @ExplicitNull var reason: String?
        var measuredSeconds: Double
        var intervalMillis: Int64
        var clients: Int
        var completedInWindow: Int64
        @ExplicitNull var throughputOps: Double?
        @ExplicitNull var p50Micros: Int64?
        @ExplicitNull var p99Micros: Int64?
        @ExplicitNull var p999Micros: Int64?
        @ExplicitNull var p9999Micros: Int64?
        var faults: [Fault]
        var clientResults: [Client]
        var nodes: [Node]
        @ExplicitNull var recovery: Recovery?

        enum CodingKeys: String, CodingKey {
            case number, started, ended, outcome, reason, measuredSeconds = "measured_seconds", intervalMillis = "interval_millis",
                 clients, completedInWindow = "completed_in_window", throughputOps = "throughput_ops", p50Micros = "p50_us",
                 p99Micros = "p99_us", p999Micros = "p999_us", p9999Micros = "p9999_us", faults, clientResults = "client_results",
                 nodes, recovery
        }
    }

    public struct Fault: Encodable, Sendable {
        var kind: String
        var target: String
        var atSeconds: Double
        @ExplicitNull var endSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case kind, target, atSeconds = "at_seconds", endSeconds = "end_seconds"
        }
    }

    public struct Client: Encodable, Sendable {
        var node: Int
        var endpoint: Int64
        var group: Int
        var crashed: Bool
        var completed: Int64
        var completedInWindow: Int64
        var retransmissions: Int64
        var failovers: Int64
        var p50Micros: UInt64
        var p99Micros: UInt64
        var p999Micros: UInt64
        var p9999Micros: UInt64
        /// [value µs, count] pairs.
        var latencyMicros: [[UInt64]]
        var completions: [Int64]
        var highest: JSONValue
        var numbers: JSONValue
        @ExplicitNull var rangesByInterval: JSONValue?

        enum CodingKeys: String, CodingKey {
            case node, endpoint, group, crashed, completed, completedInWindow = "completed_in_window", retransmissions, failovers,
                 p50Micros = "p50_us", p99Micros = "p99_us", p999Micros = "p999_us", p9999Micros = "p9999_us",
                 latencyMicros = "latency_us", completions, highest, numbers, rangesByInterval = "ranges_by_interval"
        }
    }

    public struct Node: Encodable, Sendable {
        var node: Int
        @ExplicitNull var label: String?
        var originUnixNanos: Int64
        var intervalMillis: Int64
        var proxies: JSONValue
        var sequencers: JSONValue

        enum CodingKeys: String, CodingKey {
            case node, label, originUnixNanos = "origin_unix_nanos", intervalMillis = "interval_millis", proxies, sequencers
        }
    }

    public struct Recovery: Encodable, Sendable {
        var intervalMillis: UInt64
        var warmupMillis: UInt64
        var highestContiguous: [[Int64]]
        var completions: [UInt64]

        enum CodingKeys: String, CodingKey {
            case intervalMillis = "interval_millis", warmupMillis = "warmup_millis", highestContiguous = "highest_contiguous", completions
        }
    }
}

extension JSONValue {
    /// A JSON column as stored, parsed; the text itself when it no longer parses.
    init(stored text: String) {
        self = (try? JSONParser.parse(Array(text.utf8))) ?? .string(text)
    }
}
