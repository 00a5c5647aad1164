import Foundation

/// One node from an Emulab/CloudLab "List View" table.
public struct ListViewNode: Sendable, Equatable, Codable {
    /// The node's name, e.g. `proxy-12`.
    public var name: String
    /// The role named by the part before `-N`.
    public var role: NodeRole
    /// The `N` of `role-N`.
    public var index: Int
    /// The SSH destination host, e.g. `pc601.emulab.net` (its first label is Emulab's machine id).
    public var host: String
    /// The SSH port (`-p`), 22 when the command gives none.
    public var port: Int
    /// The SSH user (`user@host` or `-l user`), if the command names one.
    public var user: String?
    /// The hardware type column (e.g. `d430`), if one could be recognised.
    public var hardwareType: String?
    /// The 1-based line of the pasted text this node came from.
    public var line: Int

    public init(name: String, role: NodeRole, index: Int, host: String, port: Int = 22, user: String? = nil,
                hardwareType: String? = nil, line: Int) {
        self.name = name
        self.role = role
        self.index = index
        self.host = host
        self.port = port
        self.user = user
        self.hardwareType = hardwareType
        self.line = line
    }
}

/// The node list pasted from the experiment page's "List View" tab (orchestration spec §1.1).
///
/// The original parser took the SSH command as "tokens 6 to end of line", which broke whenever the
/// portal showed one more or one fewer column (the README's "change 6 to 7" fix). This parser finds
/// each field by its shape instead: the node name is the token shaped `role-N`, the SSH command
/// starts at the token `ssh` (or, failing that, is the first `user@host` token) and ends at its
/// destination, and columns may be separated by any mix of tabs and spaces.
public struct ListView: Sendable, Equatable {
    /// The nodes, in natural order of their names (`proxy-2` before `proxy-10`).
    public var nodes: [ListViewNode]

    public init(nodes: [ListViewNode]) { self.nodes = nodes }

    /// Reads and parses a List View file (e.g. `setup/machine_list.txt`).
    public static func load(path: String) throws(ListViewError) -> ListView {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadableFile(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadableFile(path: path, reason: "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied or I/O error")
        }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    /// Parses pasted List View text. Blank lines and header lines are skipped; CRLF line ends,
    /// trailing whitespace and a leading UTF-8 byte-order mark are accepted.
    public static func parse(_ text: String) throws(ListViewError) -> ListView {
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        var nodes: [ListViewNode] = []
        var firstLine: [String: (name: String, line: Int)] = [:]  // by canonical name
        // "\r\n" is a single Character, so split on isNewline rather than on "\n".
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, raw) in lines.enumerated() {
            let tokens = raw.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let node = try parseLine(tokens, raw: raw, line: offset + 1) else { continue }
            let key = NaturalOrder.canonical(node.name)
            if let earlier = firstLine[key] {
                guard earlier.name == node.name else {
                    throw .sameNumber(first: earlier.name, firstLine: earlier.line, second: node.name, secondLine: node.line)
                }
                throw .duplicateName(name: node.name, firstLine: earlier.line, secondLine: node.line)
            }
            firstLine[key] = (node.name, node.line)
            nodes.append(node)
        }
        guard !nodes.isEmpty else { throw .emptyList }
        return ListView(nodes: nodes.sorted { NaturalOrder.less($0.name, $1.name) })
    }

    // MARK: - One line

    /// A node, or nil for a blank or header line.
    private static func parseLine(_ tokens: [String], raw: Substring, line: Int) throws(ListViewError) -> ListViewNode? {
        if tokens.isEmpty { return nil }
        let sshStart = tokens.firstIndex(of: "ssh")
        let columns = tokens[..<(sshStart ?? tokens.endIndex)]
        // Prefer a name with a known role, so an extra `word-N` column cannot shadow the real name.
        let named = columns.indices.compactMap { i in splitName(columns[i]).map { (i, $0) } }
        guard let (nameAt, parts) = named.first(where: { NodeRole(rawValue: $0.1.role) != nil }) ?? named.first
        else {
            if isHeader(tokens, raw: raw) { return nil }
            throw .noNodeName(line: line, text: raw.trimmingCharacters(in: .whitespaces))
        }
        let name = tokens[nameAt]
        guard let role = NodeRole(rawValue: parts.role) else { throw .unknownRole(line: line, name: name) }
        guard let index = Int(parts.digits) else { throw .indexTooLarge(line: line, name: name) }

        let ssh = try sshDestination(tokens, sshStart: sshStart, after: nameAt, name: name, line: line)
        let middle = Array(tokens[(nameAt + 1)..<(sshStart ?? ssh.destinationAt)])
        return ListViewNode(name: name, role: role, index: index, host: ssh.host, port: ssh.port, user: ssh.user,
                            hardwareType: hardwareType(middle, host: ssh.host), line: line)
    }

    /// `role-N` split into its parts: letters (with `_` or inner `-`), a dash, decimal digits.
    private static func splitName(_ token: String) -> (role: String, digits: Substring)? {
        guard let dash = token.lastIndex(of: "-") else { return nil }
        let role = token[..<dash], digits = token[token.index(after: dash)...]
        guard let first = role.first, first.isASCII, first.isLetter,
              role.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_" || $0 == "-") }),
              !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return (String(role), digits)
    }

    /// A column-title line as copied with the table: it starts with ID/Node/Name or mentions the SSH
    /// command column.
    private static func isHeader(_ tokens: [String], raw: Substring) -> Bool {
        let first = tokens[0].lowercased()
        return ["id", "node", "nodes", "name", "client_id"].contains(first)
            || raw.range(of: "ssh command", options: .caseInsensitive) != nil
    }

    // MARK: - SSH command

    private struct Destination {
        var host: String
        var port: Int
        var user: String?
        /// Token index of `user@host` (used to bound the columns when there is no `ssh` token).
        var destinationAt: Int
    }

    /// ssh options that take an argument (`ssh(1)`), so their value is not mistaken for the host.
    private static let optionsWithArgument: Set<Character> = [
        "B", "b", "c", "D", "E", "e", "F", "I", "i", "J", "L", "l", "m", "O", "o", "P", "p", "Q", "R", "S", "W", "w",
    ]

    /// Reads `ssh [options] [user@]host` starting at the `ssh` token; without one, takes the first
    /// `user@host` token after the name. Anything after the destination is ignored.
    private static func sshDestination(_ tokens: [String], sshStart: Int?, after nameAt: Int, name: String,
                                       line: Int) throws(ListViewError) -> Destination {
        guard let start = sshStart else {
            guard let at = tokens.indices.first(where: { $0 > nameAt && tokens[$0].contains("@") }) else {
                throw .noSSHCommand(line: line, name: name, problem: "has no SSH command")
            }
            return try destination(tokens[at], at: at, port: nil, user: nil, name: name, line: line)
        }
        var port: String?, user: String?
        var i = start + 1
        while i < tokens.count {
            let token = tokens[i]
            guard token.hasPrefix("-"), token.count >= 2 else {
                return try destination(token, at: i, port: port, user: user, name: name, line: line)
            }
            let option = token[token.index(after: token.startIndex)]
            if optionsWithArgument.contains(option) {
                var value: String?
                if token.count > 2 { value = String(token.dropFirst(2)) } else if i + 1 < tokens.count { i += 1; value = tokens[i] }
                if option == "p" { port = value } else if option == "l" { user = value }
            }
            i += 1
        }
        throw .noSSHCommand(line: line, name: name, problem: "has an SSH command without a host")
    }

    /// Splits `[ssh://][user@]host[:port]` and validates its parts.
    private static func destination(_ token: String, at: Int, port: String?, user: String?, name: String,
                                    line: Int) throws(ListViewError) -> Destination {
        var rest = Substring(token), port = port, user = user
        if rest.hasPrefix("ssh://") {
            rest = rest.dropFirst(6)
            if let colon = rest.lastIndex(of: ":") { port = String(rest[rest.index(after: colon)...]); rest = rest[..<colon] }
        }
        if let atSign = rest.lastIndex(of: "@") {
            user = String(rest[..<atSign])
            rest = rest[rest.index(after: atSign)...]
        }
        let host = String(rest)
        guard user.map({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) ?? true else {
            throw .noSSHCommand(line: line, name: name, problem: "has an SSH command with an empty user before '@'")
        }
        guard let lead = host.first, lead.isASCII, lead.isLetter || lead.isNumber, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
            throw .noSSHCommand(line: line, name: name,
                                problem: "has SSH host '\(host.prefix(60))', which is not a host name or IPv4 address")
        }
        var number = 22
        if let port {
            guard let p = Int(port), (1 ... 65535).contains(p) else { throw .invalidPort(line: line, name: name, port: port) }
            number = p
        }
        return Destination(host: host, port: number, user: user, destinationAt: at)
    }

    // MARK: - Hardware type

    /// The hardware type column, recognised by shape (lowercase letters then a digit, e.g. `d430`,
    /// `c220g5`, `xl170`, `c6525-25g`). The physical node id (`pc601`, equal to the host's first
    /// label) comes before it in the table, so when it cannot be told apart by the host the first of
    /// two candidates is taken as the id and the second as the type.
    private static func hardwareType(_ columns: [String], host: String) -> String? {
        let label = host.split(separator: ".").first.map { $0.lowercased() }
        let candidates = columns.filter { token in
            guard let first = token.first, first.isASCII, first.isLowercase, splitName(token) == nil else { return false }
            return token.contains(where: \.isNumber)
                && token.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        }
        if let label, candidates.contains(label) { return candidates.first { $0 != label } }
        return candidates.count >= 2 ? candidates[1] : candidates.first
    }
}
