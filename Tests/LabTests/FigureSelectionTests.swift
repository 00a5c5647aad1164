import Lab
import Protocols
import Testing

/// `run-figure NAME`, `run-figure --MODE` and their refusals, as the pure selection the command runs.
@Suite struct FigureSelectionTests {
    private static func figure(_ name: String, _ system: System, _ modes: [FigureMode]) -> Figure {
        Figure(name: name, summary: name, system: system, modes: modes) { _ in [] }
    }

    /// As the catalog will look once the shared log and ZooKeeper are built.
    private let figures = [
        figure("mason", .mason, []), figure("corfu", .corfu, [.appends, .reads]),
        figure("corfumason", .corfumason, [.appends, .reads]), figure("zk", .zkmason, [.setDatas, .getDatas]),
    ]

    @Test func oneModeWithoutANameRunsEveryFigureThatMeasuresIt() throws {
        #expect(try FigureSelection.select(name: nil, modes: [.appends], from: figures).map(\.name) == ["corfu", "corfumason"])
        #expect(try FigureSelection.select(name: nil, modes: [.getDatas], from: figures).map(\.name) == ["zk"])
    }

    @Test func aNamedFigureRunsAloneWithOrWithoutAModeItHas() throws {
        #expect(try FigureSelection.select(name: "mason", modes: [], from: figures).map(\.name) == ["mason"])
        #expect(try FigureSelection.select(name: "corfu", modes: [.reads], from: figures).map(\.name) == ["corfu"])
    }

    @Test func aModeNoBuiltFigureHasNamesTheSystemsThatWillBringIt() {
        let built = [Self.figure("mason", .mason, []), Self.figure("recovery", .mason, [])]
        for (mode, systems) in [(FigureMode.appends, "corfu and corfumason"), (.reads, "corfu and corfumason"),
                                (.setDatas, "rsmkeeper and zkmason"), (.getDatas, "rsmkeeper and zkmason")] {
            let error = #expect(throws: FigureSelectionError.modeNotBuilt(mode)) {
                try FigureSelection.select(name: nil, modes: [mode], from: built)
            }
            #expect(error?.description.contains("--\(mode.rawValue)") == true)
            #expect(error?.description.contains("the \(systems) systems will bring it") == true, "\(String(describing: error))")
        }
    }

    @Test func twoModesAreRefusedWithOrWithoutAName() {
        #expect(throws: FigureSelectionError.severalModes([.appends, .reads])) {
            try FigureSelection.select(name: nil, modes: [.appends, .reads], from: figures)
        }
        #expect(throws: FigureSelectionError.severalModes([.setDatas, .setDatas])) {
            try FigureSelection.select(name: "zk", modes: [.setDatas, .setDatas], from: figures)
        }
    }

    @Test func aModeTheNamedFigureLacksIsRefusedNamingItsModes() {
        let none = #expect(throws: FigureSelectionError.figureLacksMode(figure: "mason", mode: .appends, has: [])) {
            try FigureSelection.select(name: "mason", modes: [.appends], from: figures)
        }
        #expect(none?.description == "the mason figure has no --appends mode; it has no modes, so run it without one.")
        let other = #expect(throws: FigureSelectionError.figureLacksMode(figure: "corfu", mode: .setDatas, has: [.appends, .reads])) {
            try FigureSelection.select(name: "corfu", modes: [.setDatas], from: figures)
        }
        #expect(other?.description.hasSuffix("its modes are --appends, --reads.") == true)
    }

    @Test func neitherANameNorAModeAndAnUnknownNameAreRefused() {
        #expect(throws: FigureSelectionError.nothingNamed) { try FigureSelection.select(name: nil, modes: [], from: figures) }
        let unknown = #expect(throws: FigureSelectionError.unknownFigure("nosuch", known: ["mason", "corfu", "corfumason", "zk"])) {
            try FigureSelection.select(name: "nosuch", modes: [], from: figures)
        }
        #expect(unknown?.description.hasPrefix("'nosuch' is not a figure") == true)
    }

    /// Today's catalog: mason's figures measure no mode, so every mode says who will bring it.
    @Test func theBuiltCatalogHasNoModesYet() {
        for mode in FigureMode.allCases {
            #expect(throws: FigureSelectionError.modeNotBuilt(mode)) {
                try FigureSelection.select(name: nil, modes: [mode], from: FigureCatalog.all)
            }
        }
    }
}
