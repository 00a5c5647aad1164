import Protocols

/// One point of a sweep: a run, its key in the database, and the series it is drawn in.
public struct FigurePoint: Sendable, Equatable {
    public var key: String
    public var series: String
    public var spec: RunSpec
}

/// A paper figure declared as data: its points at the paper's scale and shrunk to one machine.
public struct Figure: Sendable {
    /// `local` (shrunk to one machine) or `paper` (the paper's cluster sizes).
    public enum Scale: String, Sendable, CaseIterable, CustomStringConvertible {
        case local, paper

        /// The scale a testbed runs when none is named: local on the local testbed, else the paper's.
        public init(defaultFor testbed: TestbedKind) { self = testbed == .local ? .local : .paper }

        public var description: String { rawValue }
    }

    public var name: String
    public var summary: String
    public var system: System
    /// The modes it measures (`run-figure --appends` runs every figure that has `.appends`); none
    /// for a system with one kind of operation.
    public var modes: [FigureMode] = []
    public var points: @Sendable (Scale) -> [FigurePoint]

    public init(name: String, summary: String, system: System, modes: [FigureMode] = [], points: @escaping @Sendable (Scale) -> [FigurePoint]) {
        self.name = name
        self.summary = summary
        self.system = system
        self.modes = modes
        self.points = points
    }
}
