/// An IPv4 network in CIDR notation (`10.0.0.0/8`): where `masond prepare` looks for the
/// experiment interface.
public struct IPv4Network: Equatable, Sendable, CustomStringConvertible {
    /// The network address, host bits cleared.
    public let address: UInt32
    /// 0...32.
    public let prefixLength: Int

    /// Emulab's experiment LANs: 10.x (its control network is 155.98.x).
    public static let emulabExperiment = IPv4Network("10.0.0.0/8")!

    /// Parses `a.b.c.d/n`; nil unless both parts are well formed. Host bits are cleared
    /// (`10.1.2.3/8` is `10.0.0.0/8`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = Self.parse(String(parts[0])),
              parts[1].allSatisfy(\.isASCII), let length = Int(parts[1]), (0...32).contains(length) else { return nil }
        prefixLength = length
        self.address = address & Self.mask(length)
    }

    private var mask: UInt32 { Self.mask(prefixLength) }

    private static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    /// Whether `ipv4` (dotted quad, no prefix) lies inside; false for anything that is not one.
    public func contains(_ ipv4: String) -> Bool {
        guard let value = Self.parse(ipv4) else { return false }
        return value & mask == address
    }

    public var description: String { "\(Self.format(address))/\(prefixLength)" }

    /// A dotted quad as a number (`10.0.0.1` → 0x0A00_0001); nil if it is not exactly one.
    public static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    public static func format(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String(value >> UInt32($0) & 0xFF) }.joined(separator: ".")
    }
}
