#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address and UDP port, both in host byte order.
public struct NetAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: UInt32
    public var port: UInt16

    public init(ip: UInt32, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// Parses dotted-quad IPv4 (`127.0.1.2`); nil for anything else.
    public init?(ip text: String, port: UInt16) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1 ... 3).contains(part.count), part.utf8.allSatisfy({ (48 ... 57).contains($0) }), let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.init(ip: value, port: port)
    }

    /// Parses `a.b.c.d:port`.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let digits = text[text.index(after: colon)...]
        guard (1 ... 5).contains(digits.count), digits.utf8.allSatisfy({ (48 ... 57).contains($0) }), let port = UInt16(digits) else { return nil }
        self.init(ip: String(text[..<colon]), port: port)
    }

    public var ipString: String { "\(ip >> 24).\(ip >> 16 & 0xFF).\(ip >> 8 & 0xFF).\(ip & 0xFF)" }
    public var description: String { "\(ipString):\(port)" }

    /// The address as the kernel's `sockaddr_in`.
    public var sockaddr: sockaddr_in {
        var s = sockaddr_in()
        s.sin_family = sa_family_t(AF_INET)
        s.sin_port = port.bigEndian
        s.sin_addr.s_addr = ip.bigEndian
        return s
    }

    public init(_ s: sockaddr_in) {
        self.init(ip: UInt32(bigEndian: s.sin_addr.s_addr), port: UInt16(bigEndian: s.sin_port))
    }
}

/// An Ethernet MAC address (DPDK framing; neighbours' MACs come from configuration, not ARP).
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        bytes = (b0, b1, b2, b3, b4, b5)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (hex, either case).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var b = [UInt8]()
        for part in parts {
            guard part.count == 2, part.allSatisfy(\.isHexDigit), let v = UInt8(part, radix: 16) else { return nil }
            b.append(v)
        }
        self.init(b[0], b[1], b[2], b[3], b[4], b[5])
    }

    public var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5] }
    public var description: String { array.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":") }

    public static func == (a: MACAddress, b: MACAddress) -> Bool { a.array == b.array }
    public func hash(into h: inout Hasher) { h.combine(array) }
}
