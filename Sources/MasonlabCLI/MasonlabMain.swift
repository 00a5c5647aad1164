import ArgumentParser
import Control
import Foundation
import Lab

/// The `masonlab` root command.
public struct Masonlab: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "masonlab",
        abstract: "Run Mason and its services: simulate them, run them on a testbed, keep and plot the results.",
        subcommands: [Simulate.self, Setup.self, Plan.self, Run.self, RunFigure.self, ResultsCommand.self, PlotCommand.self, RecoveryPlotCommand.self,
                      Bench.self]
    )

    public init() {}
}

/// Exit codes (CLI.md): 0 success, 1 the work ran and failed, 2 bad usage or bad input.
public enum ExitStatus {
    public static let failed: Int32 = 1
    public static let usage: Int32 = 2
}

public enum MasonlabMain {
    /// The command a command line names, parsed and validated (every numeric flag in its range);
    /// a negative number after an option reaches that option's check (`NegativeNumberArguments`).
    public static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        try Masonlab.parseAsRoot(NegativeNumberArguments.attach(arguments))
    }

    /// Parses the command line and runs the command. Usage errors print one sentence and exit 2
    /// (ArgumentParser's default is 64).
    public static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try parse(arguments)
            try command.run()
            exit(0)
        } catch {
            let code = Masonlab.exitCode(for: error)
            if code == .success {
                print(Masonlab.fullMessage(for: error))
                exit(0)
            }
            if error is Interrupted { exit(130) }
            if let failure = error as? CommandFailure {
                FileHandle.standardError.write(Data("masonlab: \(failure.message)\n".utf8))
                exit(failure.status)
            }
            FileHandle.standardError.write(Data("masonlab: \(Masonlab.message(for: error))\n".utf8))
            exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
        }
    }
}

/// A command ran and did not succeed (exit 1), or found bad input past parsing (exit 2).
public struct CommandFailure: Error {
    public var message: String
    public var status: Int32

    public init(_ message: String, status: Int32 = ExitStatus.failed) {
        self.message = message
        self.status = status
    }
}
