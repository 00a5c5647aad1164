import Dispatch
import Foundation
import Synchronization
import Testing
@testable import Results

@Suite struct StoreOpeningTests {
    @Test func migratesANewFileInAFolderThatDoesNotExistYet() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("results/deeper/masonlab.sqlite")
        let store = try ResultsStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.schemaVersion() == ResultsSchema.current.latestVersion)
        #expect(try store.listSweeps().isEmpty)
        #expect(try store.listRuns().isEmpty)
    }

    @Test func reopeningAFileKeepsItsRuns() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("masonlab.sqlite")
        let id = try ResultsStore(path: path).testRun(["nproxies": 6, "mode": "appends"])
        let reopened = try ResultsStore(path: path, mode: .existing)
        let runs = try reopened.listRuns()
        #expect(runs.map(\.id) == [id])
        #expect(runs.first?.parameters == ["nproxies": 6, "mode": "appends"])
        #expect(runs.first?.status == "pending")
        #expect(runs.first?.testbed == "local")
        #expect(try reopened.schemaVersion() == ResultsSchema.current.latestVersion)
    }

    /// Two masonlabs opening one new file at once (a run creating it while another command reads
    /// it) both find it migrated; one used to fail on "table node_inventory already exists".
    @Test func openersOfANewFileAtTheSameMomentAllSucceed() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        for round in 0 ..< 10 {
            let path = scratch.file("race-\(round).sqlite")
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    _ = try ResultsStore(path: path)
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
            #expect(try ResultsStore(path: path).schemaVersion() == ResultsSchema.current.latestVersion)
        }
    }

    @Test func refusesAFileThatIsNotSQLite() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("results.sqlite")
        try Data(String(repeating: "this is a text file, not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try ResultsStore(path: path)
        } throws: { error in
            (error as? ResultsError) == .notSQLite(path: path)
                && "\(error)" == "\(path) is not a masonlab results database (not SQLite)"
        }
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("this is a text file"))
    }

    @Test func refusesAFileWrittenByANewerSchema() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("masonlab.sqlite")
        let known = ResultsSchema.current.latestVersion
        let newer = ResultsSchema(migrations: ResultsSchema.current.migrations
            + [.init(version: known + 1, sql: "CREATE TABLE placement (run_id INTEGER NOT NULL REFERENCES run (id))")])
        _ = try ResultsStore(path: path, mode: .create, schema: newer)
        #expect {
            _ = try ResultsStore(path: path)
        } throws: { error in
            (error as? ResultsError) == .newerSchema(path: path, version: known + 1, known: known)
                && "\(error)" == "\(path) was written by a newer masonlab (schema \(known + 1), this one knows up to \(known))"
        }
    }

    @Test func refusesAnSQLiteDatabaseWithOtherTables() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("other.sqlite")
        // Version 0 leaves user_version unset, as any other application's database would.
        _ = try ResultsStore(path: path, mode: .create, schema: ResultsSchema(migrations: [.init(version: 0, sql: "CREATE TABLE notes (text TEXT)")]))
        #expect(throws: ResultsError.foreignDatabase(path: path)) { try ResultsStore(path: path) }
    }

    @Test func readingCommandsDoNotCreateAMissingDatabase() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("absent/masonlab.sqlite")
        #expect(throws: ResultsError.missingDatabase(path: path)) { try ResultsStore(path: path, mode: .existing) }
        #expect(!FileManager.default.fileExists(atPath: scratch.file("absent")))
    }
}
