import Foundation

/// A picture format, chosen by the output file's extension, and the gnuplot terminal drawing it.
public enum FigureFormat: String, Sendable, CaseIterable {
    case pdf, png, svg

    /// The format of `path`'s extension (case-insensitive); `FigureError.unknownFormat` otherwise.
    public init(path: String) throws {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard let format = FigureFormat(rawValue: ext) else { throw FigureError.unknownFormat(path: path) }
        self = format
    }

    /// `set terminal ...` for this format. Text is drawn as is (`noenhanced`): parameter names have
    /// underscores, which enhanced mode would turn into subscripts.
    var terminal: String {
        switch self {
        case .pdf: "set terminal pdfcairo size 6in,4.5in font 'Helvetica,10' linewidth 1.5 noenhanced"
        case .png: "set terminal pngcairo size 1200,900 font 'Helvetica,13' linewidth 1.5 noenhanced"
        case .svg: "set terminal svg size 1000,750 dynamic font 'Helvetica,12' linewidth 1.5 noenhanced"
        }
    }
}

/// The files a figure was rendered into: the picture, and beside it the data and the gnuplot
/// script that reads the data by relative name (run `gnuplot NAME.gp` in that folder to redraw).
public struct FigureFiles: Sendable, Equatable {
    public var picture: URL
    public var data: URL
    public var script: URL
}

/// Why a figure could not be drawn, in one sentence.
public enum FigureError: Error, Equatable, CustomStringConvertible {
    case unknownFormat(path: String)
    case gnuplotMissing
    case gnuplotFailed(script: String, stderr: String)
    case noData(String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownFormat(path):
            "cannot draw \(path): the output must end in \(FigureFormat.allCases.map { "." + $0.rawValue }.joined(separator: ", "))"
        case .gnuplotMissing:
            "gnuplot is not installed (apt-get install gnuplot-nox)"
        case let .gnuplotFailed(script, stderr):
            "gnuplot failed on \(script): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        case let .noData(what):
            "nothing to plot: \(what)"
        case let .cannotWrite(path, reason):
            "cannot write \(path): \(reason)"
        }
    }
}
