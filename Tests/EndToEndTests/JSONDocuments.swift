import Foundation

/// The parts of masonlab's JSON these tests read, as Decodable types (never `[String: Any]`):
/// a field the tests rely on that goes missing or changes type fails the decode, by name.
enum JSONDocuments {
    /// `results export --json` and `run --json` (snake_case keys).
    static func decodeSnakeCase<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(text.utf8))
    }
}

/// `masonlab run --json`'s table.
struct RunTable: Decodable {
    struct Row: Decodable {
        var p50Us: Double?
        var p99Us: Double?
        var p999Us: Double?
    }

    var rows: [Row]

    static func decode(_ text: String) throws -> RunTable { try JSONDocuments.decodeSnakeCase(RunTable.self, from: text) }
}

/// `masonlab results export --json`.
struct ExportDocument: Decodable {
    struct Run: Decodable { var attempts: [Attempt] }
    struct Attempt: Decodable {
        var clientResults: [Client]
        var nodes: [Node]?
        var faults: [Fault]?
    }
    struct Client: Decodable {
        var latencyUs: [[UInt64]]
        var failovers: Int?
    }
    struct Node: Decodable { var sequencers: [Sequencer]? }
    struct Sequencer: Decodable {
        var endpoint: Int
        var epoch: Int?
        var allocations: Int?
    }
    struct Fault: Decodable { var endSeconds: Double? }

    var runs: [Run]

    static func decode(_ text: String) throws -> ExportDocument { try JSONDocuments.decodeSnakeCase(ExportDocument.self, from: text) }
}

/// `machine_info.json` (and `setup --json`): the node inventory setup writes (camelCase keys).
struct MachineInfo: Decodable {
    struct Node: Decodable {
        var name: String
        var status: String?
        var error: String?
        var experiment: NIC?
        var info: Info?
    }
    struct NIC: Decodable {
        var name: String?
        var ipv4: String?
        var boundToDPDK: Bool?
    }
    struct Info: Decodable { var dpdk: DPDKState? }
    struct DPDKState: Decodable { var initialised: Bool? }

    var nodes: [Node]

    static func decode(_ data: Data) throws -> MachineInfo { try JSONDecoder().decode(MachineInfo.self, from: data) }
}
