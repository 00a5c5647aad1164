/// Ethernet II + IPv4 + UDP around a Mason datagram payload: what the DPDK transport puts on the
/// wire itself, byte for byte what a kernel UDP socket would, so DPDK and UDP nodes talk to each other.
///
///     Ethernet  destination MAC | source MAC | EtherType 0x0800                       14 bytes
///     IPv4      version 4, IHL 5 (no options), DF, TTL 64, protocol 17, checksum      20 bytes
///     UDP       source port | destination port | length | checksum                     8 bytes
///     payload   the Mason datagram (`Datagram` header + codec frames)
///
/// All header fields are big-endian (network order). Sending computes both the IPv4 header checksum
/// and the UDP checksum. Receiving checks the IPv4 header checksum but not the UDP one: over a veth
/// (and from NICs with checksum offload) the kernel hands frames on with the UDP checksum not yet
/// filled in, so it proves nothing there. Parsing never traps: anything else is `.foreign`.
public enum EthernetFraming {
    public static let ethernetHeaderSize = 14
    public static let ipv4HeaderSize = 20
    public static let udpHeaderSize = 8
    /// Bytes in front of the payload.
    public static let headerSize = ethernetHeaderSize + ipv4HeaderSize + udpHeaderSize
    public static let etherTypeIPv4: UInt16 = 0x0800
    public static let protocolUDP: UInt8 = 17
    public static let timeToLive: UInt8 = 64
    /// The largest payload one IPv4 packet carries: 65,535 − 20 − 8 bytes.
    public static let maxPayloadSize = 65_507

    /// The largest payload a link with this MTU (its largest IP packet) carries unfragmented.
    public static func maxPayloadSize(mtu: Int) -> Int {
        max(0, min(mtu - ipv4HeaderSize - udpHeaderSize, maxPayloadSize))
    }

    /// One end of a frame: the MAC address on the link and the IPv4 address and UDP port above it.
    public struct Station: Sendable, Equatable {
        public var mac: MACAddress
        public var address: NetAddress

        public init(mac: MACAddress, address: NetAddress) {
            self.mac = mac
            self.address = address
        }
    }

    /// What a received frame is.
    public enum Parsed: Equatable, Sendable {
        /// A UDP datagram for us: its payload is `frame[payloadOffset ..< payloadOffset + payloadLength]`.
        case datagram(source: NetAddress, payloadOffset: Int, payloadLength: Int)
        /// Not a well-formed IPv4/UDP frame for this station: to be counted and dropped.
        case foreign(ForeignFrame)
    }

    /// Why a received frame is not a datagram for this station.
    public enum ForeignFrame: Equatable, Sendable, CustomStringConvertible {
        /// Shorter than the headers it needs.
        case truncated(length: Int)
        /// Addressed to another MAC (the port is promiscuous), or broadcast or multicast.
        case otherMAC
        /// Not IPv4 (ARP, IPv6, VLAN-tagged, ...).
        case notIPv4(etherType: UInt16)
        case badIPVersion(UInt8)
        /// An IHL other than 5: options (or an impossible header length).
        case badIPHeaderLength(words: UInt8)
        /// The IPv4 total length is below the headers or beyond the frame's bytes.
        case badIPTotalLength(declared: Int, available: Int)
        /// A fragment (MF set or a fragment offset): never reassembled here.
        case fragment
        case badIPChecksum
        case notUDP(protocolNumber: UInt8)
        /// An IPv4 destination other than this station's (host order).
        case otherIP(UInt32)
        /// The UDP length disagrees with the IPv4 payload length.
        case badUDPLength(declared: Int, ipPayload: Int)
        case otherPort(UInt16)

        public var description: String {
            switch self {
            case let .truncated(length): "a \(length)-byte frame is too short for its headers"
            case .otherMAC: "addressed to another MAC"
            case let .notIPv4(etherType): "EtherType 0x\(String(etherType, radix: 16)) is not IPv4"
            case let .badIPVersion(version): "IP version \(version) in an IPv4 frame"
            case let .badIPHeaderLength(words): "IPv4 header length \(words) words (only 5, no options, is accepted)"
            case let .badIPTotalLength(declared, available):
                "IPv4 total length \(declared) with \(available) bytes after the Ethernet header"
            case .fragment: "an IPv4 fragment"
            case .badIPChecksum: "wrong IPv4 header checksum"
            case let .notUDP(number): "IP protocol \(number) is not UDP"
            case let .otherIP(ip): "addressed to IPv4 \(NetAddress(ip: ip, port: 0).ipString)"
            case let .badUDPLength(declared, ipPayload): "UDP length \(declared) in an IPv4 payload of \(ipPayload) bytes"
            case let .otherPort(port): "addressed to UDP port \(port)"
            }
        }
    }

    /// Writes a whole frame carrying `payload` from `source` to `destination` at the start of
    /// `frame`; returns its length, `headerSize + payload.count`.
    /// Precondition: `payload.count <= maxPayloadSize` and the frame has room for it.
    @discardableResult
    public static func write(payload: UnsafeRawBufferPointer, from source: Station, to destination: Station,
                             into frame: UnsafeMutableRawBufferPointer) -> Int {
        let length = headerSize + payload.count
        precondition(payload.count <= maxPayloadSize && frame.count >= length, "the frame has no room for the payload")
        let base = frame.baseAddress!
        if let bytes = payload.baseAddress, payload.count > 0 {
            (base + headerSize).copyMemory(from: bytes, byteCount: payload.count)
        }
        store(destination.mac, at: base)
        store(source.mac, at: base + 6)
        storeBigEndian(etherTypeIPv4, at: base + 12)

        let ip = base + ethernetHeaderSize
        ip.storeBytes(of: 0x45, as: UInt8.self)                       // version 4, IHL 5
        (ip + 1).storeBytes(of: 0, as: UInt8.self)                    // DSCP, ECN
        storeBigEndian(UInt16(ipv4HeaderSize + udpHeaderSize + payload.count), at: ip + 2)
        storeBigEndian(0 as UInt16, at: ip + 4)                       // identification: unused with DF (RFC 6864)
        storeBigEndian(0x4000 as UInt16, at: ip + 6)                  // DF, fragment offset 0
        (ip + 8).storeBytes(of: timeToLive, as: UInt8.self)
        (ip + 9).storeBytes(of: protocolUDP, as: UInt8.self)
        storeBigEndian(0 as UInt16, at: ip + 10)
        storeBigEndian(source.address.ip, at: ip + 12)
        storeBigEndian(destination.address.ip, at: ip + 16)
        storeBigEndian(internetChecksum(UnsafeRawBufferPointer(start: ip, count: ipv4HeaderSize)), at: ip + 10)

        let udp = ip + ipv4HeaderSize
        let udpLength = UInt16(udpHeaderSize + payload.count)
        storeBigEndian(source.address.port, at: udp)
        storeBigEndian(destination.address.port, at: udp + 2)
        storeBigEndian(udpLength, at: udp + 4)
        storeBigEndian(0 as UInt16, at: udp + 6)
        let pseudoHeader = UInt64(source.address.ip >> 16) + UInt64(source.address.ip & 0xFFFF)
            + UInt64(destination.address.ip >> 16) + UInt64(destination.address.ip & 0xFFFF)
            + UInt64(protocolUDP) + UInt64(udpLength)
        let checksum = ~fold(onesComplementSum(UnsafeRawBufferPointer(start: udp, count: Int(udpLength)), plus: pseudoHeader))
        storeBigEndian(checksum == 0 ? 0xFFFF : checksum, at: udp + 6)    // 0 would mean "no checksum"
        return length
    }

    /// Classifies a received frame for `local`. Total: every input gives an answer, none traps.
    public static func parse(_ frame: UnsafeRawBufferPointer, for local: Station) -> Parsed {
        let count = frame.count
        guard count >= ethernetHeaderSize, let base = frame.baseAddress else { return .foreign(.truncated(length: count)) }
        guard matches(local.mac, at: base) else { return .foreign(.otherMAC) }
        let etherType = loadBigEndian(UInt16.self, at: base + 12)
        guard etherType == etherTypeIPv4 else { return .foreign(.notIPv4(etherType: etherType)) }
        guard count >= headerSize else { return .foreign(.truncated(length: count)) }

        let ip = base + ethernetHeaderSize
        let versionAndLength = ip.load(as: UInt8.self)
        guard versionAndLength >> 4 == 4 else { return .foreign(.badIPVersion(versionAndLength >> 4)) }
        guard versionAndLength & 0x0F == 5 else { return .foreign(.badIPHeaderLength(words: versionAndLength & 0x0F)) }
        // Frames may carry padding after the IP packet (60-byte Ethernet minimum): total length rules.
        let totalLength = Int(loadBigEndian(UInt16.self, at: ip + 2))
        let available = count - ethernetHeaderSize
        guard totalLength >= ipv4HeaderSize + udpHeaderSize, totalLength <= available else {
            return .foreign(.badIPTotalLength(declared: totalLength, available: available))
        }
        guard loadBigEndian(UInt16.self, at: ip + 6) & 0x3FFF == 0 else { return .foreign(.fragment) }
        guard internetChecksum(UnsafeRawBufferPointer(start: ip, count: ipv4HeaderSize)) == 0 else {
            return .foreign(.badIPChecksum)
        }
        let protocolNumber = (ip + 9).load(as: UInt8.self)
        guard protocolNumber == protocolUDP else { return .foreign(.notUDP(protocolNumber: protocolNumber)) }
        let destinationIP = loadBigEndian(UInt32.self, at: ip + 16)
        guard destinationIP == local.address.ip else { return .foreign(.otherIP(destinationIP)) }

        let udp = ip + ipv4HeaderSize
        let udpLength = Int(loadBigEndian(UInt16.self, at: udp + 4))
        guard udpLength == totalLength - ipv4HeaderSize else {
            return .foreign(.badUDPLength(declared: udpLength, ipPayload: totalLength - ipv4HeaderSize))
        }
        let destinationPort = loadBigEndian(UInt16.self, at: udp + 2)
        guard destinationPort == local.address.port else { return .foreign(.otherPort(destinationPort)) }
        let source = NetAddress(ip: loadBigEndian(UInt32.self, at: ip + 12), port: loadBigEndian(UInt16.self, at: udp))
        return .datagram(source: source, payloadOffset: headerSize, payloadLength: udpLength - udpHeaderSize)
    }

    /// Receives one frame into slot `slot` of `batch` (payload, length, source peer) and returns
    /// true; or counts why it cannot (`foreignFrames`, `oversized`) in `stats` and returns false.
    public static func deliver(_ frame: UnsafeRawBufferPointer, for local: Station, into batch: PacketBatch, slot: Int,
                               stats: inout PacketIOStats) -> Bool {
        switch parse(frame, for: local) {
        case .foreign:
            stats.foreignFrames += 1
            return false
        case let .datagram(source, offset, length):
            guard length <= batch.slotSize else {
                stats.oversized += 1
                return false
            }
            if length > 0 { batch.buffer(slot).baseAddress!.copyMemory(from: frame.baseAddress! + offset, byteCount: length) }
            batch.lengths[slot] = length
            batch.peers[slot] = source
            return true
        }
    }

    /// The Internet checksum (RFC 1071) of `bytes`: the one's complement of their one's complement
    /// sum as big-endian 16-bit words. Over a header that holds its own correct checksum, it is 0.
    public static func internetChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        ~fold(onesComplementSum(bytes, plus: 0))
    }

    @inline(__always)
    static func onesComplementSum(_ bytes: UnsafeRawBufferPointer, plus initial: UInt64) -> UInt64 {
        var sum = initial
        var i = 0
        let count = bytes.count
        while i + 1 < count {
            sum += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < count { sum += UInt64(bytes[i]) << 8 }
        return sum
    }

    @inline(__always)
    static func fold(_ sum: UInt64) -> UInt16 {
        var s = sum
        while s > 0xFFFF { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    @inline(__always)
    static func store(_ mac: MACAddress, at p: UnsafeMutableRawPointer) {
        let b = mac.bytes
        p.storeBytes(of: b.0, as: UInt8.self)
        (p + 1).storeBytes(of: b.1, as: UInt8.self)
        (p + 2).storeBytes(of: b.2, as: UInt8.self)
        (p + 3).storeBytes(of: b.3, as: UInt8.self)
        (p + 4).storeBytes(of: b.4, as: UInt8.self)
        (p + 5).storeBytes(of: b.5, as: UInt8.self)
    }

    /// Whether the six bytes at `p` are `mac` (compared in place: MACAddress's `==` allocates).
    @inline(__always)
    static func matches(_ mac: MACAddress, at p: UnsafeRawPointer) -> Bool {
        let b = mac.bytes
        return p.load(as: UInt8.self) == b.0 && p.load(fromByteOffset: 1, as: UInt8.self) == b.1
            && p.load(fromByteOffset: 2, as: UInt8.self) == b.2 && p.load(fromByteOffset: 3, as: UInt8.self) == b.3
            && p.load(fromByteOffset: 4, as: UInt8.self) == b.4 && p.load(fromByteOffset: 5, as: UInt8.self) == b.5
    }

    @inline(__always)
    static func storeBigEndian<T: FixedWidthInteger>(_ value: T, at p: UnsafeMutableRawPointer) {
        p.storeBytes(of: value.bigEndian, as: T.self)
    }

    @inline(__always)
    static func loadBigEndian<T: FixedWidthInteger>(_: T.Type, at p: UnsafeRawPointer) -> T {
        T(bigEndian: p.loadUnaligned(as: T.self))
    }
}
