import ArgumentParser
import Lab

/// `masonlab plan`: where every role of a run goes, without running it.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the placement of a run: node, role, worker, group, raft id, GC neighbour, client to group."
    )

    @OptionGroup var arguments: RunArguments
    @OptionGroup var database: ResultsDatabaseOption
    @OptionGroup var ssh: SSHOptions

    func run() throws {
        let spec = arguments.spec
        let bed = try makeTestbed(database.testbed, ssh: ssh)
        let placement = try usage { try SystemDefinition.for(spec.system).place(spec, bed.slots(for: spec.options)) }
        var rows = [["node", "address", "role", "worker", "endpoint", "group", "raft_id", "detail"]]
        for r in placement.rows {
            rows.append([r.node, r.address, r.role.rawValue, "\(r.worker)", "\(r.endpoint)", r.group.map(String.init) ?? "-",
                         r.raftID.map(String.init) ?? "-", r.detail])
        }
        print(TextTable.render(rows))
    }
}
