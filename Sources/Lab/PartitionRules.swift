import Foundation

/// The nftables ruleset of one partition: a table of masonlab's own (`inet masonlab_<pid>`) whose
/// input hook drops every IPv4 packet from a cut address to another node's address and back. On
/// the local testbed every node is on loopback, where every packet passes the input hook: the drop
/// is silent, as a network's. On an Emulab cut node (the rules on that side only) the output hook
/// drops too, so the node's own sends fail (EPERM, counted by the transport as send failures). Only
/// the listed addresses are touched: SSH on the control network and the control sockets keep working.
public struct PartitionRules: Sendable, Equatable {
    public var table: String
    public var cut: [String]
    public var others: [String]
    /// Drop in the output hook as well (rules on one side of the partition only).
    public var outgoing: Bool

    /// The table of masonlab process `pid` (one per masonlab, so two never remove each other's).
    public static func table(pid: Int32) -> String { "masonlab_\(pid)" }

    /// Throws for an address that is not dotted-quad IPv4 (an inventory's, say): it goes into a ruleset.
    public init(table: String, cut: [String], others: [String], outgoing: Bool) throws(LabError) {
        precondition(!cut.isEmpty && !others.isEmpty, "a partition cuts some nodes off from some others")
        precondition(Set(cut).isDisjoint(with: others), "a node is on one side of a partition")
        if let bad = (cut + others).first(where: { !Self.isIPv4($0) }) {
            throw LabError("cannot partition: '\(bad)' is not an IPv4 address nftables rules can name.")
        }
        self.table = table
        self.cut = cut
        self.others = others
        self.outgoing = outgoing
    }

    /// Dotted-quad IPv4 only: the addresses go into a ruleset, so nothing else may.
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    /// Input for `nft -f -`: replaces this table if a previous one was left, then defines it.
    public var ruleset: String {
        let drop = "ip saddr @cut ip daddr @others drop; ip saddr @others ip daddr @cut drop"
        return """
        table inet \(table)
        delete table inet \(table)
        table inet \(table) {
            set cut { type ipv4_addr; elements = { \(cut.joined(separator: ", ")) } }
            set others { type ipv4_addr; elements = { \(others.joined(separator: ", ")) } }
            chain input { type filter hook input priority -10; policy accept; \(drop); }
        \(outgoing ? "    chain output { type filter hook output priority -10; policy accept; \(drop); }\n" : "")}

        """
    }

    /// The command that removes the table.
    public static func deleteArguments(table: String) -> [String] { ["delete", "table", "inet", table] }

    /// The masonlab tables in `nft list tables` output, with the pid each is named after.
    public static func masonlabTables(in listing: String) -> [(table: String, pid: Int32)] {
        listing.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 3, words[0] == "table", words[1] == "inet", words[2].hasPrefix("masonlab_"),
                  let pid = Int32(words[2].dropFirst("masonlab_".count)) else { return nil }
            return (String(words[2]), pid)
        }
    }
}
