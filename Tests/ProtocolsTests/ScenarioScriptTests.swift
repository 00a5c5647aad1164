import Foundation
import Testing

/// The scenario runner itself: parsing, mismatch reports, rewriting, script errors, determinism.
@Suite struct ScenarioScriptTests {
    let script = """
        # a comment that stays
        raft n=3 seed=4
        ----
        stale line

        campaign r0
        ----
        wrong
        lines

        status r0
        ----
        """

    @Test func blocksKeepTheirLinesCommandsAndExpectedOutput() throws {
        let parsed = try ScenarioScript(text: script)
        #expect(parsed.blocks.map(\.line) == [2, 6, 11])
        #expect(parsed.blocks.map(\.command.name) == ["raft", "campaign", "status"])
        #expect(parsed.blocks[0].command.named.map(\.key) == ["n", "seed"])
        #expect(parsed.blocks[1].command.positional == ["r0"])
        #expect(parsed.blocks.map(\.expected) == [["stale line"], ["wrong", "lines"], []])
    }

    @Test func aMismatchNamesTheBlockLineAndShowsTheDiff() throws {
        let parsed = try ScenarioScript(text: script)
        let messages = parsed.mismatches(outputs: [["stale line"], ["wrong", "right"], []], file: "x.txt")
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message.hasPrefix("x.txt:6: `campaign r0`"))
        #expect(message.contains("  wrong\n- lines\n+ right"))
    }

    @Test func rewritingReplacesOnlyTheExpectedOutput() throws {
        let parsed = try ScenarioScript(text: script)
        let rewritten = parsed.rewritten(outputs: [["a", "b"], ["c"], ["d"]])
        #expect(rewritten == """
            # a comment that stays
            raft n=3 seed=4
            ----
            a
            b

            campaign r0
            ----
            c

            status r0
            ----
            d
            """)
        // Rewriting what it produced parses back to the same outputs.
        #expect(try ScenarioScript(text: rewritten).blocks.map(\.expected) == [["a", "b"], ["c"], ["d"]])
    }

    @Test func aCommandWithoutSeparatorIsRefusedWithItsLine() {
        #expect(throws: ScenarioError.self) { try ScenarioScript(text: "raft n=3\n\nstatus\n----\n") }
        do throws(ScenarioError) {
            _ = try ScenarioScript(text: "# c\nraft n=3\n\nstatus\n----\n")
            Issue.record("a block without ---- parsed")
        } catch {
            #expect(error.description.hasPrefix("line 2:"))
        }
    }

    @Test func scriptMistakesAreErrorsNamingTheFix() throws {
        let interpreter = ScenarioInterpreter(label: "test")
        func error(_ text: String) -> String? {
            do throws(ScenarioError) {
                _ = try interpreter.run(try ScenarioCommand(parsing: text, line: 7))
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error("status")?.contains("start the script with `raft` or `mason`") == true)
        #expect(error("frobnicate")?.contains("unknown command `frobnicate`") == true)
        _ = try interpreter.run(ScenarioCommand(parsing: "raft n=3", line: 1))
        #expect(error("campaign r9") == "line 7: no node named `r9`; the nodes are r0, r1, r2.")
        #expect(error("tick 5 minutes")?.contains("1...1 words") == true)
        #expect(error("tick 5min")?.contains("a duration like 20us") == true)
        #expect(error("deliver form=r0")?.contains("`form=r0` is not valid here; expected one of the keys from, n, to") == true)
        #expect(error("request r1 to=r0")?.contains("works only on clients") == true)
    }

    /// A real scenario passes as written and fails once one expected line changes: the files'
    /// outputs are compared, not only parsed.
    @Test func aChangedLineInARealScenarioIsCaught() throws {
        let file = "raft-election.txt"
        let text = try String(contentsOf: ScenarioTests.directory.appendingPathComponent(file), encoding: .utf8)
        let parsed = try ScenarioScript(text: text)
        #expect(parsed.mismatches(outputs: try ScenarioTests.run(parsed, label: file), file: file).isEmpty)
        let tampered = text.replacingOccurrences(of: "r2->r0 Vote term=1 granted=true", with: "r2->r0 Vote term=1 granted=false")
        #expect(tampered != text)
        let reparsed = try ScenarioScript(text: tampered)
        let mismatches = reparsed.mismatches(outputs: try ScenarioTests.run(reparsed, label: file), file: file)
        #expect(mismatches.count == 1)
        #expect(mismatches.first?.contains("- r2->r0 Vote term=1 granted=false\n+ r2->r0 Vote term=1 granted=true") == true)
    }

    /// The same script prints the same trace every time: a seed fixes every timeout.
    @Test func aScriptReplaysIdentically() throws {
        let text = """
            raft n=3 seed=9
            ----

            run 2s
            ----

            status
            ----
            """
        let parsed = try ScenarioScript(text: text)
        let first = try ScenarioTests.run(parsed, label: "a"), second = try ScenarioTests.run(parsed, label: "b")
        #expect(first == second)
        #expect(first[2].contains { $0.contains(" leader term=") }, "someone leads after 2 s")
    }
}
