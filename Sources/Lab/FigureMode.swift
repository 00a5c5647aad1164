import Protocols

/// What a figure measures when a system has more than one kind of operation: the artifact's
/// `run_suite.sh --appends`, `--reads`, `--setDatas`, `--getDatas`. Mason's figures have none.
public enum FigureMode: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    case appends, reads, setDatas, getDatas

    /// The systems whose figures will measure this mode (the shared log's and ZooKeeper's).
    public var systems: [System] {
        switch self {
        case .appends, .reads: [.corfu, .corfumason]
        case .setDatas, .getDatas: [.rsmkeeper, .zkmason]
        }
    }

    /// `--appends`: how the flag is spelled.
    public var flag: String { "--\(rawValue)" }

    public var description: String { rawValue }
}
