import ChildProcess
import Foundation
import Polling
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ChildProcessTests {
    private func shell(_ script: String, ownProcessGroup: Bool = false) -> ChildCommand {
        ChildCommand("/bin/sh", ["-c", script], ownProcessGroup: ownProcessGroup)
    }

    @Test func aChildWritingAMebibyteToEachStreamCompletesWithBoth() throws {
        // stderr first: a reader blocked on stdout alone would never see the child finish.
        let result = try ChildProcess.run(shell("head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero; echo -n x >&2"), timeout: 30)
        #expect(result.status == .exited(0))
        #expect(result.standardOutput.count == 1 << 20)
        #expect(result.standardError.count == (1 << 20) + 1)
        #expect(result.standardError.last == UInt8(ascii: "x"))
    }

    @Test func aChildPastItsTimeoutIsKilledAndTheErrorSaysWhatItPrinted() throws {
        let started = Date()
        let error = try #require(throws: ChildProcessError.self) {
            try ChildProcess.run(shell("echo still thinking >&2; exec sleep 30"), timeout: 0.5)
        }
        guard case .timedOut(let command, let seconds, let said) = error else {
            Issue.record("expected a timeout, got \(error)")
            return
        }
        #expect(command.hasPrefix("/bin/sh -c"))
        #expect(seconds == 0.5)
        #expect(said == "still thinking")
        #expect(error.description.contains("did not end within 0.5 s and was killed; it printed: still thinking"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aMissingExecutableIsAClearError() throws {
        let byPath = try #require(throws: ChildProcessError.self) { try RunningChild(ChildCommand("/no/such/tool")) }
        #expect(byPath == .cannotStart(executable: "/no/such/tool", reason: "no such file or directory"))
        #expect(byPath.description == "cannot start /no/such/tool: no such file or directory.")
        let byName = try #require(throws: ChildProcessError.self) { try RunningChild(ChildCommand("no-such-tool-at-all")) }
        guard case .notFound(let name, let searched) = byName else {
            Issue.record("expected notFound, got \(byName)")
            return
        }
        #expect(name == "no-such-tool-at-all")
        #expect(searched.contains("/usr/sbin"))
    }

    @Test func aBareNameIsFoundInPath() throws {
        let result = try ChildProcess.run(ChildCommand("sh", ["-c", "echo found"]), timeout: 10)
        #expect(result.output == "found\n")
    }

    @Test(arguments: [(0, ChildStatus.exited(0)), (3, .exited(3)), (255, .exited(255))])
    func theExitStatusIsReported(code: Int, expected: ChildStatus) throws {
        let result = try ChildProcess.run(shell("exit \(code)"), timeout: 10)
        #expect(result.status == expected)
        #expect(result.status.shellStatus == Int32(code))
    }

    @Test func aChildKilledByASignalSaysWhich() throws {
        let result = try ChildProcess.run(shell("kill -TERM $$; sleep 5"), timeout: 10)
        #expect(result.status == .signalled(SIGTERM))
        #expect(result.status.shellStatus == 128 + SIGTERM)
        #expect(result.status.description == "killed by signal 15")
    }

    @Test func checkedNamesTheCommandTheStatusAndWhatItSaid() throws {
        let result = try ChildProcess.run(shell("echo 'bad flag' >&2; exit 2"), timeout: 10)
        let error = try #require(throws: ChildProcessError.self) { try result.checked() }
        #expect(error.description == #"/bin/sh -c 'echo '\''bad flag'\'' >&2; exit 2' failed (exit status 2): bad flag"#)
        #expect(try ChildProcess.run(shell("true"), timeout: 10).checked().status == .exited(0))
    }

    @Test func aLongRunningChildShowsItsOutputSoFarAndStopsOnASignal() throws {
        let child = try RunningChild(shell("echo ready; exec sleep 30"))
        try Polling.until("the child printing ready", within: 10) {
            String(decoding: child.outputSoFar.standardOutput, as: UTF8.self) == "ready\n"
        }
        #expect(child.isRunning)
        #expect(child.wait(timeout: 0) == nil)
        #expect(child.signal(SIGINT))
        let result = try #require(child.wait(timeout: 10))
        #expect(result.status == .signalled(SIGINT))
        #expect(result.output == "ready\n")
        #expect(!child.isRunning)
        #expect(!child.signal(SIGKILL), "an ended child's pid is not ours to signal")
    }

    @Test func stopEscalatesToSIGKILLWhenSIGTERMIsIgnored() throws {
        let child = try RunningChild(shell("trap '' TERM; echo trapped; while true; do sleep 0.05; done"))
        try Polling.until("the trap set", within: 10) { !child.outputSoFar.standardOutput.isEmpty }
        let result = try #require(child.stop(grace: 0.3))
        #expect(result.status == .signalled(SIGKILL))
    }

    @Test func aGrandchildHoldingThePipesDoesNotHoldTheResult() throws {
        // The backgrounded sleep inherits stdout and stderr and outlives the shell: waiting for
        // end-of-file would wait 30 s (the hang Foundation's Process had with a daemonized sshd).
        let started = Date()
        let child = try RunningChild(shell("sleep 30 & echo done", ownProcessGroup: true))
        let result = try child.result(within: 20)
        kill(-child.pid, SIGKILL)  // the sleep, still in the shell's group
        #expect(result.output == "done\n")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func bothStreamsToOneFileShareItInOrder() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(getpid())-\(UInt32.random(in: 0 ... .max)).log").path
        defer { unlink(path) }
        let command = ChildCommand("/bin/sh", ["-c", "echo one; echo two >&2; echo three"],
                                   standardOutput: .file(path: path), standardError: .file(path: path))
        let result = try ChildProcess.run(command, timeout: 10)
        #expect(result.standardOutput.isEmpty && result.standardError.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\ntwo\nthree\n")
    }

    @Test func theChildStartsInTheFolderAndEnvironmentGiven() throws {
        let command = ChildCommand("/bin/sh", ["-c", "pwd; echo $ONLY"], environment: ["ONLY": "this", "PATH": "/usr/bin:/bin"], directory: "/tmp")
        #expect(try ChildProcess.run(command, timeout: 10).output == "/tmp\nthis\n")
    }

    @Test func theChildReadsTheInputGivenAndElseNothing() throws {
        let fed = ChildCommand("/bin/sh", ["-c", "wc -c"], standardInput: Data(repeating: 65, count: 200_000))
        #expect(try ChildProcess.run(fed, timeout: 10).output.trimmingCharacters(in: .whitespacesAndNewlines) == "200000")
        #expect(try ChildProcess.run(shell("wc -c"), timeout: 10).output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func standardErrorIntoOutputIsOneStreamInOrder() throws {
        let command = ChildCommand("/bin/sh", ["-c", "echo one; echo two >&2; echo three"], standardError: .intoOutput)
        let result = try ChildProcess.run(command, timeout: 10)
        #expect(result.output == "one\ntwo\nthree\n")
        #expect(result.standardError.isEmpty)
    }

    @Test func theChildInheritsNoDescriptorButItsThreeStreams() throws {
        let open = try #require(fopen("/dev/null", "r"))  // a descriptor of ours, not close-on-exec
        defer { fclose(open) }
        let result = try ChildProcess.run(shell("ls /proc/$$/fd"), timeout: 10)
        #expect(result.output.split(separator: "\n") == ["0", "1", "2"])
    }

    @Test func captureKeepsAtMostItsLimit() throws {
        let command = ChildCommand("/bin/sh", ["-c", "head -c 100000 /dev/zero"], captureLimitBytes: 1000)
        let result = try ChildProcess.run(command, timeout: 10)
        #expect(result.status == .exited(0))
        #expect(result.standardOutput.count == 1000)
    }
}
