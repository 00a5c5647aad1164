import Foundation

/// Why a child could not be run to a useful end, as one sentence with what it printed.
public enum ChildProcessError: Error, Equatable, CustomStringConvertible {
    /// The executable is not a path and is in none of the folders searched.
    case notFound(executable: String, searched: [String])
    /// `posix_spawn` refused (missing file, not executable, …).
    case cannotStart(executable: String, reason: String)
    /// The child ran longer than allowed and was killed.
    case timedOut(command: String, seconds: Double, said: String)
    /// The child ended unsuccessfully (from `ChildResult.checked`).
    case failed(command: String, status: ChildStatus, said: String)

    public var description: String {
        switch self {
        case .notFound(let executable, let searched):
            "cannot start \(executable): it is in none of \(searched.joined(separator: ":")); install it or give its full path."
        case .cannotStart(let executable, let reason):
            "cannot start \(executable): \(reason)."
        case .timedOut(let command, let seconds, let said):
            "\(command) did not end within \(Self.seconds(seconds)) and was killed" + (said.isEmpty ? ", having printed nothing." : "; it printed: \(said)")
        case .failed(let command, let status, let said):
            "\(command) failed (\(status))" + (said.isEmpty ? " without a word." : ": \(said)")
        }
    }

    /// What a child printed, for an error: standard error, else standard output, trimmed to its last 2,000 characters.
    static func said(_ errorOutput: String, _ output: String) -> String {
        let trimmed = errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = trimmed.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : trimmed
        return text.count > 2000 ? "…" + text.suffix(2000) : text
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
