import Foundation
import Testing

/// Runs every script in `Scenarios/` (found from this file's path, so a clean clone needs no
/// resources) and compares each block's output with the expected output written under it. With
/// `MASONLAB_REWRITE_SCENARIOS=1` the files' expected outputs are rewritten in place instead: then
/// read the diff (`git diff Tests/ProtocolsTests/Scenarios`) and commit only what you understand.
@Suite struct ScenarioTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")
    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".txt") }.sorted()
    static let rewriteVariable = "MASONLAB_REWRITE_SCENARIOS"
    static var rewriting: Bool { ProcessInfo.processInfo.environment[rewriteVariable] == "1" }

    /// The scenarios issue 12 asks for: a renamed or lost file fails here, not silently.
    @Test func theRequiredScenariosArePresent() {
        let required: Set = ["raft-election.txt", "raft-stale-leader.txt", "raft-snapshot-catch-up.txt", "raft-prevote.txt",
                             "mason-proxy-takeover.txt", "mason-backup-recovery.txt"]
        #expect(required.isSubset(of: Set(Self.files)), "missing: \(required.subtracting(Self.files).sorted())")
    }

    @Test(arguments: files) func scenario(_ file: String) throws {
        let url = Self.directory.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let outputs: [[String]]
        let script: ScenarioScript
        do throws(ScenarioError) {
            script = try ScenarioScript(text: text)
            outputs = try Self.run(script, label: file)
        } catch {
            Issue.record("\(file): \(error)")
            return
        }
        if Self.rewriting {
            let rewritten = script.rewritten(outputs: outputs)
            if rewritten != text { try rewritten.write(to: url, atomically: true, encoding: .utf8) }
            return
        }
        let mismatches = script.mismatches(outputs: outputs, file: file)
        for mismatch in mismatches { Issue.record(Comment(rawValue: mismatch)) }
        if !mismatches.isEmpty {
            Issue.record("""
                \(file): to accept the new output, run \(Self.rewriteVariable)=1 swift test --filter ScenarioTests \
                and read `git diff Tests/ProtocolsTests/Scenarios` before committing it.
                """)
        }
    }

    /// Every block's output, in order, from one fresh interpreter.
    static func run(_ script: ScenarioScript, label: String) throws(ScenarioError) -> [[String]] {
        let interpreter = ScenarioInterpreter(label: label)
        var outputs: [[String]] = []
        func checkInvariants() {
            for violation in interpreter.invariantViolations() { Issue.record(Comment(rawValue: violation)) }
        }
        for block in script.blocks {
            // A block that starts a new cluster ends the old one: check it first.
            if block.command.name == "raft" || block.command.name == "mason" { checkInvariants() }
            outputs.append(try interpreter.run(block.command))
        }
        checkInvariants()
        return outputs
    }
}
