/// Runs a command to its end: `ChildProcess.run(ChildCommand("/usr/bin/gnuplot", [script]), timeout: 60)`.
/// For children that outlive one call (a daemon, a CLI a test interrupts), `RunningChild`.
public enum ChildProcess {
    /// Starts `command` and waits for it; kills it and throws `timedOut` (with what it printed)
    /// after `timeout` seconds. The status is returned, not checked: see `ChildResult.checked`.
    public static func run(_ command: ChildCommand, timeout: Double) throws -> ChildResult {
        precondition(timeout > 0, "a child needs time to run")
        return try RunningChild(command).result(within: timeout)
    }
}
