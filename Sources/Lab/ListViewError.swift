/// Why a pasted Emulab/CloudLab "List View" could not be turned into a node list. Each
/// `description` is one sentence: where (line number or file), what is wrong, and how to fix it.
public enum ListViewError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `ListView.load(path:)` could not read the file.
    case unreadableFile(path: String, reason: String)
    /// No node lines at all (empty text, or only headers and blank lines).
    case emptyList
    /// A non-header line has no token shaped like `role-N`.
    case noNodeName(line: Int, text: String)
    /// The node name is `role-N` but the role is not one masonlab knows.
    case unknownRole(line: Int, name: String)
    /// The `N` of `role-N` does not fit in an `Int`.
    case indexTooLarge(line: Int, name: String)
    /// The line has no `ssh [-p PORT] [user@]host` command, or the command names no usable host.
    case noSSHCommand(line: Int, name: String, problem: String)
    /// The SSH command's port is not a number in 1...65535.
    case invalidPort(line: Int, name: String, port: String)
    /// Two lines carry the same node name.
    case duplicateName(name: String, firstLine: Int, secondLine: Int)
    /// Two names differ only in leading zeros (`client-0`, `client-00`): the same role and number.
    case sameNumber(first: String, firstLine: Int, second: String, secondLine: Int)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "cannot read List View file '\(path)' (\(reason)); check the path, or paste the experiment's List View into that file"
        case .emptyList:
            return "the List View contains no node lines; paste the table from the experiment page's \"List View\" tab, one node per line"
        case let .noNodeName(line, text):
            return "line \(line): no node name of the form role-N (e.g. proxy-0) in '\(Self.clip(text))'; paste the node's whole row from the List View or delete the line"
        case let .unknownRole(line, name):
            return "line \(line): '\(name)' is not a masonlab role (\(NodeRole.allCases.map(\.rawValue).joined(separator: ", "))); rename the node to one of these roles, e.g. 'server-N'"
        case let .indexTooLarge(line, name):
            return "line \(line): the number in '\(Self.clip(name))' is too large; use a node name like proxy-0 with a small index"
        case let .noSSHCommand(line, name, problem):
            return "line \(line): node '\(name)' \(problem); copy the node's whole row including the SSH command column ('ssh -p 22 user@host')"
        case let .invalidPort(line, name, port):
            return "line \(line): node '\(name)' has SSH port '\(Self.clip(port))', which is not a number from 1 to 65535; fix the '-p' value of its SSH command"
        case let .duplicateName(name, first, second):
            return "lines \(first) and \(second): node name '\(name)' appears twice; every node needs a unique name, so delete or rename one of them"
        case let .sameNumber(first, firstLine, second, secondLine):
            return "lines \(firstLine) and \(secondLine): '\(Self.clip(first))' and '\(Self.clip(second))' are the same node number (leading zeros do not count); rename one of them"
        }
    }

    /// Keeps quoted input short so one bad line cannot flood the message.
    private static func clip(_ s: String, to limit: Int = 60) -> String {
        s.count <= limit ? s : String(s.prefix(limit)) + "…"
    }
}
