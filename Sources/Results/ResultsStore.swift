import Foundation
import GRDB

/// The results database: every sweep, run and attempt masonlab has made, with each client's latency
/// histogram and per-interval counters, recovery curves and fault events.
///
/// One SQLite file in WAL mode (a sweep writing while `masonlab results` reads is fine), migrated
/// on open. Each attempt is written in one transaction together with its run's status change.
public final class ResultsStore: Sendable {
    /// How `init(path:mode:)` treats a missing file.
    public enum OpenMode: Sendable {
        /// Create the file and its parent directories (commands that record).
        case create
        /// Refuse a missing file with `ResultsError.missingDatabase` (commands that only read).
        case existing
    }

    /// The path as given: what error messages name.
    public let path: String
    /// How long one write waits for another process's lock before SQLite gives up.
    public let busyTimeout: TimeInterval
    let pool: DatabasePool

    /// Opens (or creates) the database at `path` and migrates it to the current schema.
    /// Throws `ResultsError.notSQLite`, `.foreignDatabase`, `.newerSchema` or `.missingDatabase`.
    public convenience init(path: String, mode: OpenMode = .create, busyTimeout: TimeInterval = 10) throws {
        try self.init(path: path, mode: mode, schema: .current, busyTimeout: busyTimeout)
    }

    init(path: String, mode: OpenMode, schema: ResultsSchema, busyTimeout: TimeInterval = 10) throws {
        precondition(busyTimeout >= 0, "a busy timeout is not negative")
        self.path = path
        self.busyTimeout = busyTimeout
        let url = URL(fileURLWithPath: path)
        let exists = FileManager.default.fileExists(atPath: url.path)
        if !exists {
            guard mode == .create else { throw ResultsError.missingDatabase(path: path) }
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw ResultsError.database(path: path, message: "cannot create its folder (\(error.localizedDescription))")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "masonlab results"
        // Opening a file that others open at the same moment (a new file's WAL set-up and first
        // migration) can meet an immediate SQLITE_BUSY that no busy handler waits out: retry until
        // the busy timeout has passed.
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                let opened = try DatabasePool(path: url.path, configuration: configuration)
                try Self.migrate(opened, schema: schema, path: path)
                pool = opened
                return
            } catch let error as DatabaseError where Self.isBusy(error) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            } catch let error as DatabaseError {
                throw Self.translate(error, path: path)
            }
        }
    }

    /// Maps SQLite's errors to the sentences users read.
    static func translate(_ error: DatabaseError, path: String) -> ResultsError {
        if error.resultCode == .SQLITE_NOTADB { return .notSQLite(path: path) }
        if isBusy(error) {
            return .database(path: path, message: "another process holds it locked (\(error.message ?? "database is locked")); "
                + "wait for it to finish or close it")
        }
        return .database(path: path, message: error.message ?? "\(error.resultCode)")
    }

    /// Whether SQLite gave up waiting for another connection's lock.
    static func isBusy(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    /// Runs `body` in one write transaction, translating SQLite errors.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Runs `body` on a consistent snapshot, translating SQLite errors.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// The schema version of the open file (after migration: this masonlab's latest).
    public func schemaVersion() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// Refuses files that are not ours or are newer, then applies the migrations the file lacks,
    /// all in one IMMEDIATE transaction: a second masonlab opening the same new file at the same
    /// moment waits for the first (the busy timeout), then finds it migrated. (GRDB's
    /// `DatabaseMigrator` reads which migrations were applied outside the transactions that apply
    /// them, so two processes both ran the first one and the second failed on "table
    /// node_inventory already exists".) Applied migrations are recorded as GRDB's migrator records
    /// them (`grdb_migrations`, `v1`, `v2`, ...), so files written by either way read the same.
    private static func migrate(_ pool: DatabasePool, schema: ResultsSchema, path: String) throws {
        // The usual case, a file already current, needs no write lock: a reader opening the store
        // while a run holds the database does not wait for it.
        guard try !pool.read({ db in try pending(db, schema: schema, path: path).isEmpty }) else { return }
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for migration in try pending(db, schema: schema, path: path) {
                    try db.execute(sql: migration.sql)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: ["v\(migration.version)"])
                    try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                }
                return .commit
            }
        }
    }

    /// The migrations the file lacks, in order; throws for a file that is not ours or is newer.
    private static func pending(_ db: Database, schema: ResultsSchema, path: String) throws -> [ResultsSchema.Migration] {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if version > schema.latestVersion {
            throw ResultsError.newerSchema(path: path, version: version, known: schema.latestVersion)
        }
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        // Tables of ours always come with a user_version: without one they belong to someone else.
        if version == 0 && !tables.subtracting(["grdb_migrations"]).isEmpty { throw ResultsError.foreignDatabase(path: path) }
        let applied = tables.contains("grdb_migrations") ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
        if !applied.isSubset(of: Set(schema.migrations.map { "v\($0.version)" })) {
            throw ResultsError.newerSchema(path: path, version: max(version, schema.latestVersion + 1), known: schema.latestVersion)
        }
        return schema.migrations.filter { !applied.contains("v\($0.version)") }
    }
}
