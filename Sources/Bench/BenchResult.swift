/// One benchmark's result: `operations` units of work in `seconds` of wall time.
public struct BenchResult: Sendable {
    public var name: String
    public var unit: String
    public var operations: UInt64
    public var seconds: Double
    public var target: Double?

    public var perSecond: Double { Double(operations) / seconds }
    public var metTarget: Bool? { target.map { perSecond >= $0 } }
}

/// Repeats `body` (which returns the work it did) until `seconds` of wall time have passed.
func measure(_ name: String, unit: String, target: Double?, seconds: Double, _ body: () -> UInt64) -> BenchResult {
    let clock = ContinuousClock()
    let start = clock.now
    let budget = Duration.milliseconds(Int64(seconds * 1_000))
    var work: UInt64 = 0
    while clock.now - start < budget { work += body() }
    let elapsed = clock.now - start
    let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return BenchResult(name: name, unit: unit, operations: work, seconds: secs, target: target)
}
