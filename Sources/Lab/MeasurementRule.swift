import Control
import Foundation

/// When an attempt's measurement counts: the window is long enough to measure, and every client
/// completed operations inside it, in every part of it that no fault excuses.
///
/// Why parts and not the total: a deadlocked run (`--concurrency 4096` past the proxy's admission
/// window) completes a few thousand operations in its first moments and then only retransmits;
/// its total is positive and its throughput a plausible-looking number. A starved client (one that
/// stops while the others go on) is the same. Requiring completions in each tenth of the window
/// catches both, as both are stuck for the rest of the window. A part is never shorter than
/// `minimumPartSeconds`: a slow client that still progresses is a true (if poor) measurement,
/// not a false one, and it can go a good fraction of a second between completions (the local
/// `--concurrency 64` points in a debug build complete each client's 64 operations in one burst
/// every 100-250 ms, under retransmission backoff); half a second tells stuck from slow.
///
/// Faults are the exception: a killed leader or a paused node stalls clients until the cluster
/// recovers, which is what the run measures. A part that overlaps a fault, from its start to its
/// end plus `recoverySeconds`, is not required to have completions.
public enum MeasurementRule {
    /// The shortest measured window, in seconds: 50 intervals of 10 ms. Shorter windows measure
    /// nothing (`--duration 0.0001` once stored a success with every figure 0); `masonlab run`
    /// refuses them with exit 2 before anything starts.
    public static let minimumSeconds = 0.5
    /// The window is checked in this many equal parts (fewer when they would be too short).
    public static let parts = 10
    /// The shortest part: a 2 s window is checked in 4 parts, the 0.5 s minimum in 1 (every
    /// client completed something inside it); 5 s and longer windows in tenths.
    public static let minimumPartSeconds = 0.5
    /// How long after a fault ends clients may still be stalled (an election, a failover).
    public static let recoverySeconds = 1.0

    /// The sentence refusing a window shorter than `minimumSeconds`, or nil when it is long enough.
    public static func refusal(durationSeconds: Double) -> String? {
        guard durationSeconds.isFinite, durationSeconds >= minimumSeconds else {
            return "--duration \(durationSeconds) is shorter than the \(minimumSeconds) s a measurement needs; measure for at least \(minimumSeconds) s."
        }
        return nil
    }

    /// Why the clients' completions do not make a measurement, or nil when they do.
    /// `faults` are (start, end) in seconds from the start of measurement; an instant has end == start.
    public static func violation(_ clients: [ClientResults], intervalMillis: UInt64, warmupSeconds: Double, durationSeconds: Double,
                                 faults: [(start: Double, end: Double)]) -> String?
    {
        precondition(intervalMillis > 0, "intervals are at least 1 ms")
        guard durationSeconds.isFinite, durationSeconds > 0, durationSeconds <= 1e7, warmupSeconds.isFinite, warmupSeconds >= 0,
              warmupSeconds <= 1e7 else {
            return "the measured window (\(durationSeconds) s after a \(warmupSeconds) s warmup) cannot be measured."
        }
        let interval = Double(intervalMillis) / 1_000
        let first = Int((warmupSeconds / interval).rounded())
        let count = max(1, Int((durationSeconds / interval).rounded()))
        // Parts as half-open interval ranges covering the window.
        let partCount = max(1, min(parts, count, Int((durationSeconds / minimumPartSeconds).rounded(.down))))
        let bounds = (0 ... partCount).map { first + $0 * count / partCount }
        let required = (0 ..< partCount).filter { p in
            let from = Double(bounds[p] - first) * interval, to = Double(bounds[p + 1] - first) * interval
            return !faults.contains { $0.start < to && $0.end + recoverySeconds > from }
        }
        for client in clients.sorted(by: { $0.endpoint < $1.endpoint }) {
            func completed(_ range: Range<Int>) -> UInt64 {
                let upper = min(range.upperBound, client.completions.count)
                guard range.lowerBound < upper else { return 0 }
                return client.completions[range.lowerBound ..< upper].reduce(0, &+)
            }
            if completed(bounds[0] ..< bounds[partCount]) == 0 {
                return "client e\(client.endpoint) completed no operations in the measured window (\(client.completed) in all); "
                    + "the run deadlocked or the client starved."
            }
            for p in required where completed(bounds[p] ..< bounds[p + 1]) == 0 {
                let from = Double(bounds[p] - first) * interval, to = Double(bounds[p + 1] - first) * interval
                return "client e\(client.endpoint) completed no operations from \(seconds(from)) to \(seconds(to)) s of the "
                    + "measured window (\(completed(bounds[0] ..< bounds[partCount])) in the window); the run deadlocked or the client starved."
            }
        }
        return nil
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
}
