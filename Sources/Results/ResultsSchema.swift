/// The results database's schema as numbered migrations. Each migration is applied once, in order,
/// inside one transaction, and leaves `PRAGMA user_version` at its number: that number is how a
/// masonlab tells that a file was written by a newer one. Never edit a released migration; add one.
struct ResultsSchema: Sendable {
    struct Migration: Sendable {
        var version: Int
        var sql: String
    }

    var migrations: [Migration]

    /// The highest schema version this masonlab knows.
    var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    static let current = ResultsSchema(migrations: [Migration(version: 1, sql: version1), Migration(version: 2, sql: version2),
                                                         Migration(version: 3, sql: version3)])

    /// Version 3: a pause's or a partition's end (seconds from the start of measurement, as
    /// `at_seconds`); NULL for an instant fault (a kill) and for every fault stored before.
    private static let version3 = """
    ALTER TABLE fault_event ADD COLUMN end_seconds REAL;
    """

    /// Version 2: the node inventory `masonlab setup` gathers, one row per testbed node (its record
    /// as JSON), replaced whenever setup refreshes that node.
    private static let version2 = """
    CREATE TABLE node_inventory (
        testbed_id INTEGER NOT NULL REFERENCES testbed (id),
        name TEXT NOT NULL,
        record TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (testbed_id, name)
    );
    """

    /// Dates are GRDB's UTC text (`YYYY-MM-DD HH:MM:SS.SSS`); JSON columns hold sorted-key JSON text.
    private static let version1 = """
    CREATE TABLE testbed (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL
    );

    CREATE TABLE sweep (
        id INTEGER PRIMARY KEY,
        figure TEXT NOT NULL,
        mode TEXT,
        scale TEXT NOT NULL,
        trials INTEGER NOT NULL CHECK (trials >= 1),
        status TEXT NOT NULL CHECK (status IN ('running', 'finished')),
        created TEXT NOT NULL,
        finished TEXT
    );
    CREATE INDEX sweep_by_figure ON sweep (figure, scale, mode, status);

    CREATE TABLE run (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER REFERENCES sweep (id) ON DELETE CASCADE,
        point_key TEXT,
        trial INTEGER NOT NULL CHECK (trial >= 1),
        system TEXT NOT NULL,
        parameters TEXT NOT NULL,
        configuration TEXT NOT NULL,
        masonlab_version TEXT NOT NULL,
        testbed_id INTEGER NOT NULL REFERENCES testbed (id),
        status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        created TEXT NOT NULL,
        CHECK ((sweep_id IS NULL) = (point_key IS NULL))
    );
    CREATE UNIQUE INDEX run_by_point ON run (sweep_id, point_key, trial) WHERE sweep_id IS NOT NULL;
    CREATE INDEX run_by_testbed ON run (testbed_id);

    CREATE TABLE attempt (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
        number INTEGER NOT NULL CHECK (number >= 1),
        started TEXT NOT NULL,
        ended TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
        reason TEXT,
        measured_seconds REAL NOT NULL,
        interval_millis INTEGER NOT NULL,
        clients INTEGER NOT NULL,
        completed_in_window INTEGER NOT NULL,
        throughput_ops REAL,
        p50_us INTEGER,
        p99_us INTEGER,
        p999_us INTEGER,
        p9999_us INTEGER,
        UNIQUE (run_id, number)
    );

    CREATE TABLE node_result (
        attempt_id INTEGER NOT NULL REFERENCES attempt (id) ON DELETE CASCADE,
        node INTEGER NOT NULL,
        label TEXT,
        origin_unix_nanos INTEGER NOT NULL,
        interval_millis INTEGER NOT NULL,
        proxies TEXT NOT NULL,
        sequencers TEXT NOT NULL,
        PRIMARY KEY (attempt_id, node)
    ) WITHOUT ROWID;

    CREATE TABLE client_result (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL,
        node INTEGER NOT NULL,
        endpoint INTEGER NOT NULL,
        proxy_group INTEGER NOT NULL,
        crashed INTEGER NOT NULL,
        completed INTEGER NOT NULL,
        completed_in_window INTEGER NOT NULL,
        retransmissions INTEGER NOT NULL,
        failovers INTEGER NOT NULL,
        latency_count INTEGER NOT NULL,
        latency_histogram BLOB NOT NULL,
        highest TEXT NOT NULL,
        numbers TEXT NOT NULL,
        ranges TEXT,
        UNIQUE (attempt_id, endpoint),
        FOREIGN KEY (attempt_id, node) REFERENCES node_result (attempt_id, node) ON DELETE CASCADE
    );

    CREATE TABLE client_interval (
        client_result_id INTEGER NOT NULL REFERENCES client_result (id) ON DELETE CASCADE,
        interval INTEGER NOT NULL,
        completions INTEGER NOT NULL,
        PRIMARY KEY (client_result_id, interval)
    ) WITHOUT ROWID;

    CREATE TABLE recovery_curve (
        attempt_id INTEGER PRIMARY KEY REFERENCES attempt (id) ON DELETE CASCADE,
        interval_millis INTEGER NOT NULL,
        warmup_millis INTEGER NOT NULL,
        spaces INTEGER NOT NULL
    );

    CREATE TABLE recovery_point (
        attempt_id INTEGER NOT NULL REFERENCES recovery_curve (attempt_id) ON DELETE CASCADE,
        space INTEGER NOT NULL,
        interval INTEGER NOT NULL,
        highest_contiguous INTEGER NOT NULL,
        PRIMARY KEY (attempt_id, space, interval)
    ) WITHOUT ROWID;

    CREATE TABLE recovery_completion (
        attempt_id INTEGER NOT NULL REFERENCES recovery_curve (attempt_id) ON DELETE CASCADE,
        interval INTEGER NOT NULL,
        completions INTEGER NOT NULL,
        PRIMARY KEY (attempt_id, interval)
    ) WITHOUT ROWID;

    CREATE TABLE fault_event (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempt (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        at_seconds REAL NOT NULL
    );
    CREATE INDEX fault_event_by_attempt ON fault_event (attempt_id);
    """
}
