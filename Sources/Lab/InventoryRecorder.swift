import Foundation
import Results

/// Keeps `masonlab setup`'s records as each node finishes: merged into the inventory file (read
/// once, when created) and stored in the results database, so Ctrl-C loses nothing finished.
public final class InventoryRecorder: @unchecked Sendable {
    // @unchecked Sendable: EmulabSetup calls `record` one node at a time.
    public let path: String
    public let store: ResultsStore
    private var inventory: Inventory
    /// The first record that could not be saved, as a sentence.
    public private(set) var problem: String?

    /// Reads the inventory at `path` (none yet: empty), then opens the store; an inventory that
    /// does not parse is an error before anything is opened, so a hand-edited file is never overwritten.
    public init(path: String, store: @autoclosure () throws -> ResultsStore) throws {
        self.path = path
        inventory = FileManager.default.fileExists(atPath: path) ? try Inventory.load(path: path) : Inventory(nodes: [])
        self.store = try store()
    }

    public func record(_ node: InventoryNode) {
        do {
            inventory = inventory.merged(with: [node])
            try inventory.save(path: path)
            try store.saveInventory(testbed: TestbedKind.emulab.rawValue, records: [(node.name, try InventoryRecordJSON.encode(node))])
        } catch {
            if problem == nil { problem = "cannot save the inventory (\(path) and \(store.path)): \(error)" }
        }
    }
}
