import Protocols
import Results

/// Where runs and attempts are kept (the results database); a protocol so the runner's logic is
/// independent of the store.
public protocol RunLedger {
    func beginSweep(figure: String, mode: FigureMode?, scale: Figure.Scale, trials: Int) throws -> SweepID
    func run(sweep: SweepID?, pointKey: String?, trial: Int, system: System, parameters: RunParameters,
             configuration: String, testbed: TestbedKind, masonlabVersion: String) throws -> RunID
    func succeededRuns(sweep: SweepID) throws -> Set<PointTrial>
    func record(_ attempt: AttemptRecord, run: RunID) throws
    /// Records the attempt, or keeps it in a file when the database stays locked.
    func recordOrKeep(_ attempt: AttemptRecord, run: RunID) throws -> AttemptStorage
    func attempts(run: RunID) throws -> [AttemptListing]
    func finishSweep(_ sweep: SweepID) throws
}

/// The database keeps the closed sets as their names (`system` `mason`, `testbed` `local`,
/// `mode` `appends`, `scale` `paper`): what `results` lists and exports, and what older
/// databases already hold. The store takes the system as its type; the testbed, mode and scale
/// are Lab's types, named here.
extension ResultsStore: RunLedger {
    public func beginSweep(figure: String, mode: FigureMode?, scale: Figure.Scale, trials: Int) throws -> SweepID {
        try beginSweep(figure: figure, mode: mode?.rawValue, scale: scale.rawValue, trials: trials)
    }

    public func run(sweep: SweepID?, pointKey: String?, trial: Int, system: System, parameters: RunParameters,
                    configuration: String, testbed: TestbedKind, masonlabVersion: String) throws -> RunID {
        try run(sweep: sweep, pointKey: pointKey, trial: trial, system: system, parameters: parameters,
                configuration: configuration, testbed: testbed.rawValue, masonlabVersion: masonlabVersion)
    }
}
