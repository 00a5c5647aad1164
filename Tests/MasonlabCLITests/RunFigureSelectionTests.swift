import Foundation
import Testing

/// `run-figure`'s modes, `--system`, `--scale`, `--testbed` and repeated fault flags through the
/// built masonlab: each refusal exits 2 with one sentence before any daemon starts.
@Suite struct RunFigureSelectionTests {
    @Test(arguments: [
        (["run-figure", "--appends"], "the corfu and corfumason systems will bring it"),
        (["run-figure", "--getDatas"], "the rsmkeeper and zkmason systems will bring it"),
        (["run-figure", "--appends", "--reads"], "one mode at a time (got --appends and --reads)"),
        (["run-figure", "mason", "--setDatas"], "the mason figure has no --setDatas mode"),
        (["run-figure"], "name a figure or one mode"),
        (["run-figure", "--system", "corfu", "--appends"], "the corfu system is not built yet"),
        (["run-figure", "mason", "--scale", "huge"], "--scale"),
        (["run", "--system", "corfu"], "the corfu system is not built yet; the systems built are: mason."),
        (["plan", "--system", "zkmason"], "the zkmason system is not built yet"),
        (["run", "--system", "cassandra"], "cassandra"),
        (["plan", "--testbed", "cloud"], "--testbed"),
        (["run", "--kill-leader", "1", "--kill-leader", "2"], "--kill-leader is given 2 times (1.0, 2.0)"),
        (["plan", "--kill-sequencer", "1", "--kill_sequencer", "1"], "--kill-sequencer is given 2 times"),
    ])
    func refusedWithExitTwoAndOneSentence(arguments: [String], says: String) throws {
        let result = try BuiltBinary.run("masonlab", arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(says), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one sentence: \(result.stderr)")
    }

    /// `--help` lists the closed sets' values, as ArgumentParser does for enum options.
    @Test func helpListsTheSystemsScalesAndModes() throws {
        // Help wraps its lines: compare with every run of spaces and newlines as one space.
        func help(_ command: String) throws -> String {
            try BuiltBinary.run("masonlab", [command, "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let run = try help("run")
        #expect(run.contains("(values: mason, corfu, corfumason, rsmkeeper, zkmason; default: mason)"), "\(run)")
        #expect(run.contains("(values: local, emulab)"), "\(run)")
        let figure = try help("run-figure")
        for flag in ["--appends", "--reads", "--setDatas", "--getDatas"] { #expect(figure.contains(flag), "\(flag)") }
        #expect(figure.contains("(values: local, paper)"), "\(figure)")
    }

    @Test func listShowsTheFiguresOfTheSystemNamed() throws {
        let result = try BuiltBinary.run("masonlab", ["run-figure", "--list", "--system", "mason"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { $0.prefix { $0 != ":" } } == ["mason", "recovery"])
    }

    /// `plan` still prints the placement's roles as before (`backup` for the second sequencer).
    @Test func planPrintsTheRolesAsText() throws {
        let result = try BuiltBinary.run("masonlab", ["plan", "--nclients", "1", "--nclient-threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let roles = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[2] }
        #expect(roles == ["sequencer", "backup", "proxy", "proxy", "proxy", "client"], "\(result.stdout)")
    }
}
