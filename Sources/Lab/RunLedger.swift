import Results

/// Where runs and attempts are kept (the results database); a protocol so the runner's logic is
/// independent of the store.
public protocol RunLedger {
    func beginSweep(figure: String, mode: String?, scale: String, trials: Int) throws -> SweepID
    func run(sweep: SweepID?, pointKey: String?, trial: Int, system: String, parameters: RunParameters,
             configuration: String, testbed: String, masonlabVersion: String) throws -> RunID
    func succeededRuns(sweep: SweepID) throws -> Set<PointTrial>
    func record(_ attempt: AttemptRecord, run: RunID) throws
    /// Records the attempt, or keeps it in a file when the database stays locked.
    func recordOrKeep(_ attempt: AttemptRecord, run: RunID) throws -> AttemptStorage
    func attempts(run: RunID) throws -> [AttemptListing]
    func finishSweep(_ sweep: SweepID) throws
}

extension ResultsStore: RunLedger {}
