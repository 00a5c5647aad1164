import Control
import Foundation
import GRDB

/// A finished attempt that could not be written because another process held the database
/// locked: kept as a file beside the database until a later masonlab imports it, so no
/// measurement is lost to a lock.
struct PendingAttempt: Codable {
    /// The file format; a file of another version is left alone.
    static let version = 1
    var version: Int
    var run: RunID
    var attempt: AttemptRecord
}

/// Where `ResultsStore.recordOrKeep` put an attempt.
public enum AttemptStorage: Equatable, Sendable {
    /// In the database.
    case stored
    /// In this file (the database stayed locked); imported by the next `importPending()`.
    case pending(file: String)
}

extension ResultsStore {
    /// Writes after the first busy timeout are retried this many times, a second apart.
    static let busyRetries = 2

    /// The folder beside the database that holds pending attempts: `masonlab.sqlite.pending/`.
    public var pendingFolder: URL { URL(fileURLWithPath: path + ".pending") }

    /// Records `attempt` like `record(_:run:)`, but waits out a database another process holds
    /// locked (the busy timeout, then `busyRetries` retries); if it is still locked, writes the
    /// attempt atomically to `pendingFolder` instead of losing it. Other errors are thrown.
    public func recordOrKeep(_ attempt: AttemptRecord, run: RunID) throws -> AttemptStorage {
        for retry in 0 ... Self.busyRetries {
            do {
                try insert(attempt, run: run)
                return .stored
            } catch let error as DatabaseError where Self.isBusy(error) {
                if retry < Self.busyRetries { Thread.sleep(forTimeInterval: 1) }
            } catch let error as DatabaseError {
                throw Self.translate(error, path: path)
            }
        }
        return .pending(file: try keep(attempt, run: run))
    }

    /// Writes the attempt to `pendingFolder/<uuid>.json` (a temporary file renamed into place, so
    /// a reader never sees half of one). Returns the file's path.
    func keep(_ attempt: AttemptRecord, run: RunID) throws -> String {
        let file = pendingFolder.appendingPathComponent("\(UUID().uuidString).json")
        do {
            try FileManager.default.createDirectory(at: pendingFolder, withIntermediateDirectories: true)
            try JSONOutput.data(PendingAttempt(version: PendingAttempt.version, run: run, attempt: attempt)).write(to: file, options: .atomic)
        } catch {
            throw ResultsError.database(path: path, message: "it stayed locked, and the attempt could not be kept in \(file.path) either "
                + "(\(error.localizedDescription))")
        }
        return file.path
    }

    /// Imports every pending attempt into the database and removes its file; returns one line per
    /// file, saying what became of it. A file whose run is gone or already succeeded, or that does
    /// not decode, is renamed `*.rejected` (kept for a person to look at); one that still cannot be
    /// written because the database is locked stays for next time.
    public func importPending() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(at: pendingFolder, includingPropertiesForKeys: nil)) ?? []
        var report: [String] = []
        for file in files.filter({ $0.pathExtension == "json" }).sorted(by: { $0.path < $1.path }) {
            guard let data = try? Data(contentsOf: file), let pending = try? JSONOutput.decoder().decode(PendingAttempt.self, from: data),
                  pending.version == PendingAttempt.version
            else {
                report.append(reject(file, because: "it is not a pending attempt this masonlab reads"))
                continue
            }
            do {
                try insert(pending.attempt, run: pending.run, importing: true)
                try? FileManager.default.removeItem(at: file)
                report.append("imported attempt \(pending.attempt.number) of run \(pending.run) (\(pending.attempt.outcome.name)) "
                    + "from \(file.path), kept there while the database was locked")
            } catch let error as DatabaseError where Self.isBusy(error) {
                report.append("attempt \(pending.attempt.number) of run \(pending.run) stays pending in \(file.path): the database is still locked")
            } catch let error as DatabaseError {
                report.append(reject(file, because: Self.translate(error, path: path).description))
            } catch {
                report.append(reject(file, because: "\(error)"))
            }
        }
        return report
    }

    private func reject(_ file: URL, because reason: String) -> String {
        let rejected = file.appendingPathExtension("rejected")
        try? FileManager.default.moveItem(at: file, to: rejected)
        return "could not import \(file.lastPathComponent): \(reason); it is kept as \(rejected.path)"
    }
}
