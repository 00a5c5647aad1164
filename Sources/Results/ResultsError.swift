/// What can go wrong with the results database that a user can cause or fix. Each reads as one
/// sentence naming the bad input; the command line maps them to exit status 2.
public enum ResultsError: Error, Equatable, CustomStringConvertible {
    /// The file exists and is not an SQLite database at all.
    case notSQLite(path: String)
    /// The file is an SQLite database holding someone else's tables.
    case foreignDatabase(path: String)
    /// The file was migrated by a later masonlab to a schema this one does not know.
    case newerSchema(path: String, version: Int, known: Int)
    /// A command that only reads found no database file.
    case missingDatabase(path: String)
    /// SQLite refused an operation for a reason outside the above (disk full, permissions, locked).
    case database(path: String, message: String)
    case unknownRun(RunID)
    case unknownSweep(SweepID)
    case unknownFigure(String)
    /// A run that has already succeeded takes no further attempts.
    case runAlreadySucceeded(RunID)
    /// The attempt number is already recorded for that run.
    case duplicateAttempt(run: RunID, number: Int)
    /// Two clients of one attempt report the same endpoint.
    case duplicateClient(run: RunID, endpoint: UInt32)
    /// A client's latency histogram is not a list of [value, count] pairs.
    case malformedHistogram(run: RunID, endpoint: UInt32)
    /// An attempt record that contradicts itself (no measurement window, ...).
    case invalidAttempt(run: RunID, reason: String)
    /// A run's configuration that is not JSON text (its beginning).
    case invalidConfiguration(String)
    /// No run in the database has both faults and a recovery curve.
    case noRecoveryRun(path: String)
    /// The run has no attempt with a recovery curve.
    case noRecoveryCurve(RunID)

    public var description: String {
        switch self {
        case let .notSQLite(path):
            "\(path) is not a masonlab results database (not SQLite)"
        case let .foreignDatabase(path):
            "\(path) is not a masonlab results database (an SQLite database with other tables)"
        case let .newerSchema(path, version, known):
            "\(path) was written by a newer masonlab (schema \(version), this one knows up to \(known))"
        case let .missingDatabase(path):
            "no results database at \(path) (run an experiment first, or name another file with --db)"
        case let .database(path, message):
            "the results database \(path) failed: \(message)"
        case let .unknownRun(id):
            "no run \(id) in the results database (see masonlab results list)"
        case let .unknownSweep(id):
            "no sweep \(id) in the results database (see masonlab results list)"
        case let .unknownFigure(name):
            "no sweep of figure \(name) in the results database (see masonlab results list)"
        case let .runAlreadySucceeded(id):
            "run \(id) has already succeeded and takes no further attempts"
        case let .duplicateAttempt(run, number):
            "run \(run) already has an attempt \(number)"
        case let .duplicateClient(run, endpoint):
            "an attempt of run \(run) reports client endpoint \(endpoint) twice"
        case let .malformedHistogram(run, endpoint):
            "client \(endpoint) of run \(run) has a latency histogram that is not [value, count] pairs"
        case let .invalidAttempt(run, reason):
            "an attempt of run \(run) cannot be recorded: \(reason)"
        case let .invalidConfiguration(start):
            "a run's configuration must be JSON text (got \"\(start)\")"
        case let .noRecoveryRun(path):
            "no run in \(path) has faults and a recovery curve (run one with --kill-leader or --kill-sequencer)"
        case let .noRecoveryCurve(id):
            "run \(id) has no recovery curve (it was run without fault injection)"
        }
    }
}
