/// A data-driven scenario file, in the format of etcd-io/raft's `testdata/*.txt` (cockroachdb's
/// datadriven): blocks made of a command line, optional input lines, a `----` line and the expected
/// output, which ends at a blank line. `#` lines between blocks are comments. Expected output never
/// holds a blank line (a command with nothing to say prints `ok`), so a blank line always ends it.
struct ScenarioScript {
    struct Block {
        /// The command line, 1-based, for messages.
        var line: Int
        var command: ScenarioCommand
        var input: [String]
        var expected: [String]
        /// Where `expected` sits in the file's lines (0-based), to rewrite it in place.
        var expectedLines: Range<Int>
    }

    static let separator = "----"

    let lines: [String]
    let blocks: [Block]

    init(text: String) throws(ScenarioError) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [Block] = []
        var i = 0
        while i < lines.count {
            let text = lines[i]
            if text.allSatisfy(\.isWhitespace) || text.hasPrefix("#") {
                i += 1
                continue
            }
            let commandLine = i
            var input: [String] = []
            i += 1
            while i < lines.count, lines[i] != Self.separator {
                guard !lines[i].allSatisfy(\.isWhitespace) else { throw .missingSeparator(line: commandLine + 1) }
                input.append(lines[i])
                i += 1
            }
            guard i < lines.count else { throw .missingSeparator(line: commandLine + 1) }
            i += 1
            let start = i
            while i < lines.count, !lines[i].allSatisfy(\.isWhitespace) { i += 1 }
            let command = try ScenarioCommand(parsing: text, line: commandLine + 1)
            blocks.append(Block(line: commandLine + 1, command: command, input: input,
                                expected: Array(lines[start ..< i]), expectedLines: start ..< i))
        }
        self.blocks = blocks
    }

    /// The file with each block's expected output replaced by `outputs` (one per block, in order);
    /// comments, commands and spacing stay as they are.
    func rewritten(outputs: [[String]]) -> String {
        precondition(outputs.count == blocks.count, "one output per block")
        var result = lines
        for (block, output) in zip(blocks, outputs).reversed() {
            result.replaceSubrange(block.expectedLines, with: output)
        }
        return result.joined(separator: "\n")
    }

    /// One message per block whose output differs from the expected: the block's line, the command
    /// and a line diff (`-` expected, `+` got).
    func mismatches(outputs: [[String]], file: String) -> [String] {
        zip(blocks, outputs).compactMap { block, output in
            guard output != block.expected else { return nil }
            let diff = Self.diff(expected: block.expected, actual: output).joined(separator: "\n")
            return "\(file):\(block.line): `\(block.command.text)` printed other output (- expected, + got):\n\(diff)"
        }
    }

    /// A line diff by longest common subsequence: `  ` common, `- ` only expected, `+ ` only actual.
    static func diff(expected: [String], actual: [String]) -> [String] {
        let n = expected.count, m = actual.count
        var common = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                common[i][j] = expected[i] == actual[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var lines: [String] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, expected[i] == actual[j] {
                lines.append("  " + expected[i])
                i += 1
                j += 1
            } else if i < n, j == m || common[i + 1][j] >= common[i][j + 1] {
                lines.append("- " + expected[i])
                i += 1
            } else {
                lines.append("+ " + actual[j])
                j += 1
            }
        }
        return lines
    }
}

/// One command line: a name, then positional words and `key=value` arguments.
struct ScenarioCommand {
    let text: String
    let line: Int
    let name: String
    let positional: [String]
    let named: [(key: String, value: String)]

    init(parsing text: String, line: Int) throws(ScenarioError) {
        self.text = text
        self.line = line
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        name = words[0]
        var positional: [String] = [], named: [(String, String)] = []
        for word in words.dropFirst() {
            if let equals = word.firstIndex(of: "=") {
                let key = String(word[..<equals]), value = String(word[word.index(after: equals)...])
                guard !key.isEmpty, !value.isEmpty else {
                    throw .badArgument(line: line, argument: word, expected: "key=value with both sides")
                }
                named.append((key, value))
            } else {
                positional.append(word)
            }
        }
        self.positional = positional
        self.named = named
    }

    func value(_ key: String) -> String? { named.last { $0.key == key }?.value }

    /// Refuses arguments the command does not take (a typo would otherwise be ignored).
    func allow(positional count: ClosedRange<Int>, keys: Set<String>) throws(ScenarioError) {
        if let unknown = named.first(where: { !keys.contains($0.key) }) {
            let known = keys.isEmpty ? "none" : keys.sorted().joined(separator: ", ")
            throw .badArgument(line: line, argument: "\(unknown.key)=\(unknown.value)", expected: "one of the keys \(known)")
        }
        guard count.contains(positional.count) else {
            throw .badArgument(line: line, argument: positional.joined(separator: " "),
                               expected: "\(count.lowerBound)...\(count.upperBound) words after `\(name)`")
        }
    }

    func integer(_ key: String, default fallback: UInt64) throws(ScenarioError) -> UInt64 {
        guard let text = value(key) else { return fallback }
        guard let value = UInt64(text) else { throw .badArgument(line: line, argument: "\(key)=\(text)", expected: "a whole number") }
        return value
    }

    func flag(_ key: String, default fallback: Bool) throws(ScenarioError) -> Bool {
        switch value(key) {
        case nil: return fallback
        case "true": return true
        case "false": return false
        case let text?: throw .badArgument(line: line, argument: "\(key)=\(text)", expected: "true or false")
        }
    }

    /// A list of whole numbers, `1,2,3`.
    func integers(_ key: String) throws(ScenarioError) -> [UInt64]? {
        guard let text = value(key) else { return nil }
        let parts = text.split(separator: ",").map { UInt64($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
            throw .badArgument(line: line, argument: "\(key)=\(text)", expected: "whole numbers separated by commas, like 1,2")
        }
        return parts.map { $0! }
    }

    /// A duration in microseconds: `20us`, `50ms`, `2s`, or a bare number of microseconds.
    static func micros(_ text: String, line: Int) throws(ScenarioError) -> UInt64 {
        let units: [(suffix: String, micros: UInt64)] = [("us", 1), ("ms", 1_000), ("s", 1_000_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            if let value = UInt64(text.dropLast(unit.suffix.count)) { return value * unit.micros }
        }
        if let value = UInt64(text) { return value }
        throw .badArgument(line: line, argument: text, expected: "a duration like 20us, 50ms or 2s")
    }
}

/// A mistake in a scenario script: where it is, what was written, and what to write instead.
enum ScenarioError: Error, CustomStringConvertible {
    case missingSeparator(line: Int)
    case unknownCommand(line: Int, command: String)
    case unknownNode(line: Int, node: String, known: [String])
    case badArgument(line: Int, argument: String, expected: String)
    case noCluster(line: Int, command: String)
    case wrongCluster(line: Int, command: String, needs: String)

    var description: String {
        switch self {
        case let .missingSeparator(line):
            "line \(line): the command has no `----` line before its expected output; add one (and a blank line after the output)."
        case let .unknownCommand(line, command):
            "line \(line): unknown command `\(command)`; the commands are \(ScenarioInterpreter.commands.joined(separator: ", "))."
        case let .unknownNode(line, node, known):
            "line \(line): no node named `\(node)`; the nodes are \(known.joined(separator: ", "))."
        case let .badArgument(line, argument, expected):
            "line \(line): `\(argument)` is not valid here; expected \(expected)."
        case let .noCluster(line, command):
            "line \(line): `\(command)` needs a cluster; start the script with `raft` or `mason`."
        case let .wrongCluster(line, command, needs):
            "line \(line): `\(command)` works only on \(needs)."
        }
    }
}
