import ChildProcess
import Foundation

/// Writes a figure's data file and gnuplot script beside the picture, then runs gnuplot in that
/// folder so the script refers to both by relative name.
enum Gnuplot {
    /// How long one figure may take to draw (a few hundred lines of data take well under a second).
    static let gnuplotTimeoutSeconds = 120.0

    /// The colours of successive lines (the original artifact's six, then two more).
    static let colours = ["#A00000", "#00A000", "#5060D0", "#F25900", "#00C5C5", "#804000", "#9040A0", "#808000"]

    /// `picture` with its extension replaced: `recovery.png` → `recovery.dat`.
    static func sibling(of picture: URL, extension ext: String) -> URL {
        picture.deletingPathExtension().appendingPathExtension(ext)
    }

    /// A gnuplot single-quoted string (no escapes are processed inside; a quote is doubled).
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A number as gnuplot and data files read it (10 significant digits): NaN for missing.
    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.10g", value) : "NaN"
    }

    /// Writes `data` and `script` beside `picture` and draws it with `executable` (gnuplot). `script` must set the output to
    /// the picture's file name and read the data file by its file name.
    static func render(picture: URL, data: String, script: String, executable: URL? = executable()) throws -> FigureFiles {
        let files = FigureFiles(picture: picture, data: sibling(of: picture, extension: "dat"),
                                script: sibling(of: picture, extension: "gp"))
        let folder = picture.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(data.utf8).write(to: files.data, options: .atomic)
            try Data(script.utf8).write(to: files.script, options: .atomic)
        } catch {
            throw FigureError.cannotWrite(path: folder.path, reason: error.localizedDescription)
        }
        guard let gnuplot = executable else { throw FigureError.gnuplotMissing }
        let result: ChildResult
        do {
            result = try ChildProcess.run(ChildCommand(gnuplot.path, [files.script.lastPathComponent], directory: folder.path,
                                                       standardOutput: .discard), timeout: gnuplotTimeoutSeconds)
        } catch {
            try? FileManager.default.removeItem(at: picture)
            throw FigureError.gnuplotFailed(script: files.script.path, stderr: "\(error)")
        }
        let message = result.errorOutput
        let size = (try? FileManager.default.attributesOfItem(atPath: picture.path)[.size] as? Int) ?? 0
        guard result.status.succeeded, size > 0 else {
            try? FileManager.default.removeItem(at: picture)
            let reason = message.isEmpty ? "\(result.status), no picture written" : message
            throw FigureError.gnuplotFailed(script: files.script.path, stderr: reason)
        }
        return files
    }

    /// gnuplot from PATH, else Debian's.
    static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/gnuplot" } + ["/usr/bin/gnuplot"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }

    /// How values up to `maximum` read best: divided by a million (prefix `M`, "millions"), by a
    /// thousand (`k`, "thousands") or as they are.
    static func scale(forMaximum maximum: Double) -> (divisor: Double, prefix: String, words: String?) {
        if maximum >= 1e6 { return (1e6, "M", "millions") }
        if maximum >= 1e3 { return (1e3, "k", "thousands") }
        return (1, "", nil)
    }
}
