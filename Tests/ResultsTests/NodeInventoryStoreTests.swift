import Foundation
import Testing
@testable import Results

@Suite struct NodeInventoryStoreTests {
    @Test func savedRecordsReplaceTheirNodesAndKeepTheOthers() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("r.sqlite"))
        try store.saveInventory(testbed: "emulab", records: [("proxy-10", #"{"v":1}"#), ("proxy-2", #"{"v":1}"#)])
        try store.saveInventory(testbed: "emulab", records: [("proxy-2", #"{"v":2}"#)])
        try store.saveInventory(testbed: "other", records: [("proxy-2", #"{"v":9}"#)])
        let records = try store.inventory(testbed: "emulab")
        #expect(records.map(\.name) == ["proxy-10", "proxy-2"])
        #expect(records.map(\.record) == [#"{"v":1}"#, #"{"v":2}"#])
        #expect(try store.inventory(testbed: "nowhere").isEmpty)
    }

    @Test func aVersionOneDatabaseGainsTheInventoryTable() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("old.sqlite")
        let old = ResultsSchema(migrations: Array(ResultsSchema.current.migrations.prefix(1)))
        _ = try ResultsStore(path: path, mode: .create, schema: old)
        let store = try ResultsStore(path: path)
        #expect(try store.schemaVersion() == ResultsSchema.current.latestVersion)
        try store.saveInventory(testbed: "emulab", records: [("client-0", "{}")])
        #expect(try store.inventory(testbed: "emulab").count == 1)
    }
}
