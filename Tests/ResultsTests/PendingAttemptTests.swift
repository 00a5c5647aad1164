import Foundation
import GRDB
import Testing
@testable import Results

/// Nothing true is lost: an attempt that finishes while another process holds the database
/// locked is kept beside it and imported by the next masonlab that opens it.
@Suite struct PendingAttemptTests {
    /// Another connection holding the database in an exclusive transaction, as a second masonlab
    /// or a `sqlite3` shell would.
    final class LockHolder {
        let queue: DatabaseQueue

        init(_ path: String) throws {
            var configuration = Configuration()
            configuration.allowsUnsafeTransactions = true  // the point: a transaction left open
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        }

        func release() throws {
            try queue.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
        }
    }

    @Test func anAttemptTheLockedDatabaseCannotTakeIsKeptThenImported() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("masonlab.sqlite")
        let store = try ResultsStore(path: path, busyTimeout: 0.1)
        let run = try store.testRun()
        let finished = attempt(1, nodes: [node([client(endpoint: 100, samples: [10, 20, 30])])],
                               faults: [FaultEvent(kind: "kill-leader", target: "proxy e2", atSeconds: 1)])

        let holder = try LockHolder(path)
        let kept = try store.recordOrKeep(finished, run: run)
        guard case let .pending(file) = kept else { Issue.record("recorded through an exclusive lock: \(kept)"); return }
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(file.hasPrefix(path + ".pending/") && file.hasSuffix(".json"))
        // Still locked: the import leaves the file for next time and says so.
        let stillLocked = store.importPending()
        #expect(stillLocked.count == 1 && stillLocked[0].contains("stays pending"))
        #expect(FileManager.default.fileExists(atPath: file))

        try holder.release()
        let reopened = try ResultsStore(path: path)
        let report = reopened.importPending()
        #expect(report.count == 1 && report[0].hasPrefix("imported attempt 1 of run \(run) (succeeded)"))
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(try reopened.attempts(run: run).map(\.clients) == [1])
        #expect(try reopened.listRuns().first?.status == "succeeded")
        #expect(try reopened.attempts(run: run).first?.faults.count == 1)
        // Imported once only.
        #expect(reopened.importPending().isEmpty)
    }

    @Test func anUnlockedDatabaseIsWrittenDirectly() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"), busyTimeout: 0.1)
        let run = try store.testRun()
        #expect(try store.recordOrKeep(attempt(1, nodes: [node([client(endpoint: 100, samples: [10])])]), run: run) == .stored)
        #expect(!FileManager.default.fileExists(atPath: store.pendingFolder.path))
    }

    @Test func aLateFailedAttemptIsKeptEvenAfterTheRunSucceeded() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("masonlab.sqlite")
        let store = try ResultsStore(path: path, busyTimeout: 0.1)
        let run = try store.testRun()
        _ = try store.keep(attempt(1, .failed(reason: "client e100 completed no operations"), nodes: []), run: run)
        try store.record(attempt(2, nodes: [node([client(endpoint: 100, samples: [10])])]), run: run)
        #expect(store.importPending().first?.hasPrefix("imported attempt 1") == true)
        #expect(try store.attempts(run: run).count == 2)
        #expect(try store.listRuns().first?.status == "succeeded")
    }

    @Test func aFileThatIsNotAnAttemptIsSetAsideNotImported() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        try FileManager.default.createDirectory(at: store.pendingFolder, withIntermediateDirectories: true)
        let junk = store.pendingFolder.appendingPathComponent("junk.json")
        try Data("{}".utf8).write(to: junk)
        let report = store.importPending()
        #expect(report.count == 1 && report[0].hasPrefix("could not import junk.json"))
        #expect(FileManager.default.fileExists(atPath: junk.path + ".rejected"))
        #expect(store.importPending().isEmpty)
    }
}
