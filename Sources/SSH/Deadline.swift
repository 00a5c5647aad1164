/// Time arithmetic shared by the blocking and polling code paths.
extension Duration {
    /// Whole milliseconds, at least 1 for any positive duration (0 stays 0).
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return ms == 0 && attoseconds > 0 ? 1 : Int(ms)
    }

    /// Seconds as a Double, for messages.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension ContinuousClock.Instant {
    /// Milliseconds from now until this instant, clamped to `0...cap`.
    func remainingMilliseconds(cap: Int) -> Int32 {
        let left = (self - .now).milliseconds
        return Int32(max(0, min(left, cap)))
    }
}
