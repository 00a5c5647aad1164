/// A sweep's row id in the results database.
public struct SweepID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (a: SweepID, b: SweepID) -> Bool { a.rawValue < b.rawValue }
}

/// A run's row id in the results database: what `masonlab run` prints and `--run ID` takes.
public struct RunID: RawRepresentable, Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (a: RunID, b: RunID) -> Bool { a.rawValue < b.rawValue }
}

/// One trial of one sweep point: what a resumed sweep skips once it has succeeded.
public struct PointTrial: Hashable, Sendable, CustomStringConvertible {
    public var pointKey: String
    public var trial: Int
    public init(pointKey: String, trial: Int) {
        self.pointKey = pointKey
        self.trial = trial
    }
    public var description: String { "\(pointKey) trial \(trial)" }
}
