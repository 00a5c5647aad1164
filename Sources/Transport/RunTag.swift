/// The tag every datagram of one run carries: the FNV-1a 64-bit hash of the run's name (the `run`
/// of `roles.start`). Stable across processes, builds and machines, so every daemon of a run
/// derives the same tag from the same string without agreeing on anything else.
public enum RunTag {
    /// Workers made without a run (benchmarks, tests) use the hash of the empty string.
    public static let none = of(run: "")

    /// FNV-1a, 64 bits, over the UTF-8 bytes of `run`.
    public static func of(run: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in run.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
