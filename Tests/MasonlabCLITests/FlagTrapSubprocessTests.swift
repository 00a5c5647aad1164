import Foundation
import Testing

/// The built binaries, end to end: the command lines that once crashed masonlab now exit 2 with
/// one sentence, and every numeric flag of masond (found from its own help dump) refuses extreme
/// values the same way, never with a signal.
@Suite struct FlagTrapSubprocessTests {
    static func masond(_ arguments: [String]) throws -> BuiltBinary.Result {
        let result = try BuiltBinary.run("masond", arguments)
        #expect(!result.signaled, "masond \(arguments) died of signal \(result.status)")
        return result
    }

    @Test(arguments: [
        (["run", "--batch-timeout-us", "9223372036854775808"], "--batch-timeout-us must be 1...1000000"),
        (["simulate", "--max-batch-ops", "9223372036854775807"], "--max-batch-ops must be 1...65536"),
        (["run", "--duration", "-1"], "--duration must be a number of seconds from 0.5 to 3600"),
        (["plan", "--nproxies", "-3"], "--nproxies must be 3...3000"),
        (["plan", "--nproxies", "300"], "the local testbed has addresses for 254 nodes"),
        (["simulate", "--seeds", "18446744073709551616"], "--seeds"),
    ])
    func commandLinesThatCrashedMasonlabExitTwoWithOneSentence(arguments: [String], message: String) throws {
        let result = try SimulateCommandTests.masonlab(arguments)
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stderr.split(whereSeparator: \.isNewline).count == 1, "stderr: \(result.stderr)")
    }

    /// A late check each command fails on when the flag under test is fine, so nothing starts.
    static let poison: [String: [String]] = ["serve": ["--address", "999.0.0.0"], "prepare": ["--config", "relative"]]

    @Test func everyNumericFlagOfMasondRefusesExtremeValues() throws {
        let dump = try JSONSerialization.jsonObject(with: Data(try Self.masond(["--experimental-dump-help"]).stdout.utf8)) as! [String: Any]
        var tested: [String] = []
        for sub in (dump["command"] as! [String: Any])["subcommands"] as? [[String: Any]] ?? [] {
            guard let command = sub["commandName"] as? String, let poison = Self.poison[command] else { continue }
            for argument in sub["arguments"] as? [[String: Any]] ?? [] where argument["kind"] as? String == "option" {
                guard let name = ((argument["names"] as? [[String: Any]])?.first { $0["kind"] as? String == "long" })?["name"] as? String
                else { continue }
                // Numeric: refused as a value at parsing ("abc"), but "2" gets as far as the poison.
                let abc = try Self.masond([command, "--\(name)", "abc"] + poison)
                guard abc.stderr.contains("is invalid for"), !(try Self.masond([command, "--\(name)", "2"] + poison)).stderr.contains("is invalid for")
                else { continue }
                tested.append("\(command) --\(name)")
                for value in ["-1", "9223372036854775807", "18446744073709551616", "nan", "1e308", ""] {
                    let result = try Self.masond([command, "--\(name)", value] + poison)
                    #expect(result.status == 2, "masond \(command) --\(name) \(value): \(result.stderr)")
                    #expect(result.stderr.contains("--\(name)"), "masond \(command) --\(name) \(value): \(result.stderr)")
                    #expect(!result.stderr.contains("Missing value"), "masond \(command) --\(name) \(value): \(result.stderr)")
                }
            }
        }
        #expect(Set(tested).isSuperset(of: ["serve --parent", "prepare --hugepages"]), "numeric flags found: \(tested)")
    }
}
