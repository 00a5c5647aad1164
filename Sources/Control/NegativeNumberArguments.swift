/// Command lines of masonlab and masond, before ArgumentParser sees them: a negative number after
/// an option (`--duration -1`) is joined to it (`--duration=-1`). ArgumentParser takes `-1` for a
/// flag and answers "Missing value for '--duration'", which hides the real problem; joined, the
/// value reaches the option's range check, whose sentence gives the allowed range.
public enum NegativeNumberArguments {
    public static func attach(_ arguments: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(arguments.count)
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument == "--" {
                out += arguments[i...]  // everything after the terminator is positional, as written
                break
            }
            if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="), i + 1 < arguments.count,
               isNegativeNumber(arguments[i + 1]) {
                out.append(argument + "=" + arguments[i + 1])
                i += 2
                continue
            }
            out.append(argument)
            i += 1
        }
        return out
    }

    /// `-1`, `-0.5`, `-.5`, `-1e9`, `-inf`, `-nan`: what a person means as a negative number (the
    /// command's own parsing then decides whether it is one).
    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.hasPrefix("-"), text.count > 1 else { return false }
        let rest = text.dropFirst()
        if let first = rest.first, first.isASCII, first.isNumber || first == "." { return true }
        return ["inf", "infinity", "nan"].contains(rest.lowercased())
    }
}
