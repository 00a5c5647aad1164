import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import Transport

/// A test-setup step that failed, with the command or call and what it said.
struct NamespaceSetupError: Error, CustomStringConvertible {
    let description: String
}

/// iproute2's `ip`, run as a child process (from the root network namespace: a child inherits the
/// namespace of the thread that starts it).
enum IPTool {
    static let path: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { access($0, X_OK) == 0 }

    /// Runs `ip arguments…` and returns its standard output; throws with its standard error.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        guard let path else { throw NamespaceSetupError(description: "the ip tool (iproute2) is not installed") }
        let result = try ChildProcess.run(ChildCommand(path, arguments), timeout: 30)
        guard result.status.succeeded else {
            throw NamespaceSetupError(description: "ip \(arguments.joined(separator: " ")) exited with \(result.status.shellStatus): "
                + result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result.output
    }
}

/// A named network namespace made for one test (`ip netns add`), with IPv6 off so that its links
/// carry only the frames the test sends. `remove()` deletes it, and with it its interfaces.
struct NetworkNamespace {
    let name: String

    init(name: String) throws {
        try IPTool.run(["netns", "add", name])
        self.name = name
        do {
            try run {
                for key in ["all", "default"] { try Self.disableIPv6(key) }
            }
        } catch {
            remove()
            throw error
        }
    }

    /// Names of the namespaces `ip netns list` shows.
    static func list() throws -> [String] {
        try IPTool.run(["netns", "list"]).split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// Deletes the namespace; failures are ignored (it may be gone already).
    func remove() {
        _ = try? IPTool.run(["netns", "delete", name])
    }

    /// Runs `body` with the calling thread switched into this namespace, then switches it back.
    /// `setns` moves only the calling thread: sockets made in `body` belong to this namespace, and
    /// the rest of the test process stays where it was.
    func run<T>(_ body: () throws -> T) throws -> T {
        guard let setns = Self.setns else { throw NamespaceSetupError(description: "this C library has no setns") }
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw NamespaceSetupError(description: "open /proc/thread-self/ns/net: errno \(errno)") }
        defer { close(home) }
        let target = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw NamespaceSetupError(description: "open /var/run/netns/\(name): errno \(errno)") }
        defer { close(target) }
        guard setns(target, Self.cloneNewNet) == 0 else {
            throw NamespaceSetupError(description: "setns into \(name): errno \(errno)")
        }
        defer { precondition(setns(home, Self.cloneNewNet) == 0, "the test thread could not return to its network namespace") }
        return try body()
    }

    /// Writes 1 to net.ipv6.conf.<key>.disable_ipv6 of the calling thread's namespace (a kernel
    /// without IPv6 has no such file, and nothing to disable).
    private static func disableIPv6(_ key: String) throws {
        let path = "/proc/sys/net/ipv6/conf/\(key)/disable_ipv6"
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0, errno == ENOENT { return }
        guard fd >= 0 else { throw NamespaceSetupError(description: "open \(path): errno \(errno)") }
        defer { close(fd) }
        guard write(fd, "1\n", 2) == 2 else { throw NamespaceSetupError(description: "write \(path): errno \(errno)") }
    }

    private typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    /// Glibc's `setns`, which Swift's Glibc module does not declare (it is a GNU extension).
    private static let setns: SetNamespace? = dlsym(nil, "setns").map { unsafeBitCast($0, to: SetNamespace.self) }
    private static let cloneNewNet: Int32 = 0x4000_0000
}

/// Two network namespaces joined by a veth pair, made for one test and removed by `remove()`.
/// Side A's interface has no IPv4 address (the DPDK port on it owns `addressA`; a kernel address
/// there would make namespace A answer the DPDK port's traffic with ICMP). Side B is an ordinary
/// kernel stack with `addressB`/24 and a permanent neighbour entry for `addressA` → A's MAC, since
/// the DPDK port answers no ARP. Every name carries `tag`, so parallel runs do not collide.
struct VethTestbed {
    let a: NetworkNamespace
    let b: NetworkNamespace
    let interfaceA: String
    let interfaceB: String
    let addressA: UInt32
    let addressB: UInt32
    let macA: MACAddress
    let macB: MACAddress

    /// `tag` is short (interface names have at most 15 bytes) and unique, e.g. the pid.
    init(tag: String, subnet: UInt8) throws {
        a = try NetworkNamespace(name: "masond-test-\(tag)-a")
        do {
            b = try NetworkNamespace(name: "masond-test-\(tag)-b")
        } catch {
            a.remove()
            throw error
        }
        interfaceA = "mdA\(tag)"
        interfaceB = "mdB\(tag)"
        addressA = 0x0A4D_0000 | UInt32(subnet) << 8 | 1   // 10.77.<subnet>.1
        addressB = 0x0A4D_0000 | UInt32(subnet) << 8 | 2   // 10.77.<subnet>.2
        do {
            // Made inside A with its peer placed in B: neither end ever appears in the root namespace.
            try IPTool.run(["-n", a.name, "link", "add", interfaceA, "type", "veth", "peer", "name", interfaceB, "netns", b.name])
            try IPTool.run(["-n", a.name, "link", "set", interfaceA, "up"])
            try IPTool.run(["-n", b.name, "addr", "add", NetAddress(ip: addressB, port: 0).ipString + "/24", "dev", interfaceB])
            try IPTool.run(["-n", b.name, "link", "set", interfaceB, "up"])
            macA = try Self.mac(of: interfaceA, in: a)
            macB = try Self.mac(of: interfaceB, in: b)
            try IPTool.run(["-n", b.name, "neigh", "add", NetAddress(ip: addressA, port: 0).ipString,
                            "lladdr", macA.description, "dev", interfaceB, "nud", "permanent"])
        } catch {
            a.remove()
            b.remove()
            throw error
        }
    }

    /// Deletes both namespaces; deleting a namespace deletes its end of the pair, and so the pair.
    func remove() {
        a.remove()
        b.remove()
    }

    /// The interface's MAC from `ip -br link` (sysfs shows the root namespace's interfaces only).
    private static func mac(of interface: String, in namespace: NetworkNamespace) throws -> MACAddress {
        let line = try IPTool.run(["-n", namespace.name, "-br", "link", "show", "dev", interface])
        let fields = line.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 3, let mac = MACAddress(String(fields[2])) else {
            throw NamespaceSetupError(description: "no MAC in `ip -br link show dev \(interface)`: \(line)")
        }
        return mac
    }
}
