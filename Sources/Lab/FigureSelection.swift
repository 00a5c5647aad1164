/// Which figures `run-figure` runs: the one it names, or, with no name and one mode, every figure
/// that measures that mode (the artifact's `run_suite.sh --appends` on each system's branch).
public enum FigureSelection {
    /// The figures to run, in `figures`' order; every refusal is bad input (exit 2).
    public static func select(name: String?, modes: [FigureMode], from figures: [Figure]) throws(FigureSelectionError) -> [Figure] {
        guard modes.count <= 1 else { throw .severalModes(modes) }
        let mode = modes.first
        guard let name else {
            guard let mode else { throw .nothingNamed }
            let measuring = figures.filter { $0.modes.contains(mode) }
            guard !measuring.isEmpty else { throw .modeNotBuilt(mode) }
            return measuring
        }
        guard let figure = figures.first(where: { $0.name == name }) else { throw .unknownFigure(name, known: figures.map(\.name)) }
        if let mode, !figure.modes.contains(mode) { throw .figureLacksMode(figure: figure.name, mode: mode, has: figure.modes) }
        return [figure]
    }
}

/// Why `run-figure` has nothing to run, as one sentence naming the argument and the fix.
public enum FigureSelectionError: Error, Equatable, CustomStringConvertible {
    /// Neither a figure nor a mode.
    case nothingNamed
    /// The name is not a figure of a built system.
    case unknownFigure(String, known: [String])
    /// More than one of `--appends`, `--reads`, `--setDatas`, `--getDatas`.
    case severalModes([FigureMode])
    /// The named figure does not measure the mode.
    case figureLacksMode(figure: String, mode: FigureMode, has: [FigureMode])
    /// No figure of a built system measures the mode.
    case modeNotBuilt(FigureMode)

    public var description: String {
        switch self {
        case .nothingNamed:
            return "name a figure or one mode (masonlab run-figure --list shows them)."
        case let .unknownFigure(name, known):
            return "'\(name)' is not a figure; the figures are: \(known.joined(separator: ", "))."
        case let .severalModes(modes):
            return "run-figure runs one mode at a time (got \(modes.map(\.flag).joined(separator: " and "))); give one."
        case let .figureLacksMode(figure, mode, has):
            let modes = has.isEmpty ? "it has no modes, so run it without one" : "its modes are \(has.map(\.flag).joined(separator: ", "))"
            return "the \(figure) figure has no \(mode.flag) mode; \(modes)."
        case let .modeNotBuilt(mode):
            return "no figure built yet measures \(mode.flag); the \(mode.systems.map(\.rawValue).joined(separator: " and ")) systems will bring it."
        }
    }
}
