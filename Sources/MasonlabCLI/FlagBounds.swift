import ArgumentParser

/// Range checks for numeric flags, run in each command's `validate()` before any value is used:
/// `--batch-timeout-us 9223372036854775808` and `--max-batch-ops 9223372036854775807` once trapped
/// masonlab in the arithmetic that followed. Each refusal is one sentence naming the flag, the
/// range and the value given, and exits 2.
enum FlagBounds {
    static func check<N: Comparable & CustomStringConvertible>(_ flag: String, _ value: N?, _ range: ClosedRange<N>,
                                                               _ why: String = "") throws {
        guard let value, !range.contains(value) else { return }
        throw ValidationError("\(flag) must be \(range.lowerBound)...\(range.upperBound)\(why.isEmpty ? "" : " (\(why))") (got \(value)).")
    }

    /// Seconds: a finite number within `range` (NaN and infinity are not times).
    static func checkSeconds(_ flag: String, _ value: Double?, _ range: ClosedRange<Double>) throws {
        guard let value else { return }
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(flag) must be a number of seconds from \(seconds(range.lowerBound)) to \(seconds(range.upperBound)) (got \(value)).")
        }
    }

    /// `3600` rather than `3600.0`.
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
