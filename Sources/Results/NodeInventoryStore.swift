import Foundation
import GRDB

/// One node's inventory record as stored: its name, the record (JSON text, owned by the testbed
/// code that wrote it) and when it was last refreshed.
public struct StoredNodeRecord: Sendable, Equatable {
    public var name: String
    public var record: String
    public var updated: Date
}

extension ResultsStore {
    /// Replaces the stored records of the named nodes of `testbed` (others are kept), in one transaction.
    public func saveInventory(testbed: String, records: [(name: String, record: String)]) throws {
        try write { db in
            let id = try Self.testbedID(db, name: testbed)
            for (name, record) in records {
                try db.execute(sql: """
                    INSERT INTO node_inventory (testbed_id, name, record, updated) VALUES (?, ?, ?, ?)
                    ON CONFLICT (testbed_id, name) DO UPDATE SET record = excluded.record, updated = excluded.updated
                    """, arguments: [id, name, record, Date()])
            }
        }
    }

    /// The stored records of `testbed`, by name.
    public func inventory(testbed: String) throws -> [StoredNodeRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT n.name, n.record, n.updated FROM node_inventory n JOIN testbed t ON t.id = n.testbed_id
                WHERE t.name = ? ORDER BY n.name
                """, arguments: [testbed]).map { StoredNodeRecord(name: $0["name"], record: $0["record"], updated: $0["updated"]) }
        }
    }
}
