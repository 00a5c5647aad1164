/// The testbeds masonlab runs on (`--testbed`), recorded by name with every run.
public enum TestbedKind: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    /// `masond` daemons on 127.0.1.x, started and stopped by masonlab.
    case local
    /// The nodes `masonlab setup` prepared, over SSH.
    case emulab

    public var description: String { rawValue }
}
