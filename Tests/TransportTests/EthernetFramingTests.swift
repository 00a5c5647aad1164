import Protocols
import XCTest
@testable import Transport

final class EthernetFramingTests: XCTestCase {
    typealias Station = EthernetFraming.Station
    let a = Station(mac: MACAddress(0x0A, 0, 0, 0, 0, 0x01), address: NetAddress(ip: "10.77.1.1", port: 7000)!)
    let b = Station(mac: MACAddress(0x0A, 0, 0, 0, 0, 0x02), address: NetAddress(ip: "10.77.1.2", port: 7001)!)

    func frame(_ payload: [UInt8], from source: Station, to destination: Station) -> [UInt8] {
        var out = [UInt8](repeating: 0xEE, count: EthernetFraming.headerSize + payload.count)
        let n = out.withUnsafeMutableBytes { frame in
            payload.withUnsafeBytes { EthernetFraming.write(payload: $0, from: source, to: destination, into: frame) }
        }
        XCTAssertEqual(n, out.count)
        return out
    }

    func parse(_ bytes: [UInt8], for local: Station) -> EthernetFraming.Parsed {
        bytes.withUnsafeBytes { EthernetFraming.parse($0, for: local) }
    }

    /// Rewrites the IPv4 header checksum after a test changed the header.
    func fixIPChecksum(_ bytes: inout [UInt8]) {
        bytes[24] = 0
        bytes[25] = 0
        let sum = bytes.withUnsafeBytes { EthernetFraming.internetChecksum(UnsafeRawBufferPointer(rebasing: $0[14 ..< 34])) }
        bytes[24] = UInt8(sum >> 8)
        bytes[25] = UInt8(sum & 0xFF)
    }

    func testWrittenFrameMatchesReferenceBytes() {
        // Computed independently (Python struct + RFC 1071): a → b, payload "Mason DPDK!".
        let expected = "0a00000000020a0000000001080045000027000040004011242a0a4d01010a4d01021b581b590013d9ed4d61736f6e204450444b21"
        let bytes = frame(Array("Mason DPDK!".utf8), from: a, to: b)
        let hex = bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        XCTAssertEqual(hex, expected)
    }

    func testIPv4HeaderChecksumMatchesKnownValue() {
        // The textbook header 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7: 87 payload bytes.
        let source = Station(mac: a.mac, address: NetAddress(ip: "192.168.0.1", port: 1)!)
        let destination = Station(mac: b.mac, address: NetAddress(ip: "192.168.0.199", port: 2)!)
        let bytes = frame([UInt8](repeating: 7, count: 0x73 - 28), from: source, to: destination)
        XCTAssertEqual(Array(bytes[14 ..< 34]), [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61,
                                                 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7])
    }

    func testUDPChecksumSumsToZeroOverThePseudoHeader() {
        var generator = SplitMix64(seed: 11)
        for length in [0, 1, 2, 3, 17, 100, 1472] {
            let payload = (0 ..< length).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            let bytes = frame(payload, from: a, to: b)
            var pseudo = [UInt8]()
            pseudo += bytes[26 ..< 34]                                   // source and destination IPv4
            pseudo += [0, EthernetFraming.protocolUDP, bytes[38], bytes[39]]   // zero, protocol, UDP length
            pseudo += bytes[34...]
            XCTAssertEqual(pseudo.withUnsafeBytes { EthernetFraming.internetChecksum($0) }, 0, "payload of \(length) bytes")
            XCTAssertNotEqual(bytes[40 ..< 42], [0, 0], "a computed checksum of 0 is sent as 0xFFFF")
        }
    }

    func testRoundTripDeliversPayloadAndSource() {
        let payload: [UInt8] = Array(0 ..< 200)
        let bytes = frame(payload, from: a, to: b)
        XCTAssertEqual(parse(bytes, for: b), .datagram(source: a.address, payloadOffset: 42, payloadLength: 200))

        let batch = PacketBatch(capacity: 2, slotSize: 256)
        var stats = PacketIOStats()
        XCTAssertTrue(bytes.withUnsafeBytes { EthernetFraming.deliver($0, for: b, into: batch, slot: 1, stats: &stats) })
        XCTAssertEqual(batch.lengths[1], 200)
        XCTAssertEqual(batch.peers[1], a.address)
        XCTAssertEqual(Array(batch.payload(1)), payload)
        XCTAssertEqual(stats, PacketIOStats())
    }

    func testEthernetPaddingAfterTheIPPacketIsIgnored() {
        var bytes = frame([1, 2, 3], from: a, to: b)    // 45 bytes; NICs pad to the 60-byte minimum
        bytes += [UInt8](repeating: 0, count: 15)
        XCTAssertEqual(parse(bytes, for: b), .datagram(source: a.address, payloadOffset: 42, payloadLength: 3))
    }

    func testEveryMalformedFrameIsForeignAndCounted() {
        let good = frame(Array("payload".utf8), from: a, to: b)
        func mutated(fixChecksum: Bool = true, _ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = good
            change(&bytes)
            if fixChecksum { fixIPChecksum(&bytes) }
            return bytes
        }
        let cases: [(String, [UInt8], EthernetFraming.ForeignFrame)] = [
            ("empty", [], .truncated(length: 0)),
            ("shorter than Ethernet", Array(good[..<13]), .truncated(length: 13)),
            ("shorter than the UDP header", Array(good[..<41]), .truncated(length: 41)),
            ("another MAC", mutated { $0[5] = 0x03 }, .otherMAC),
            ("broadcast", mutated { $0.replaceSubrange(0 ..< 6, with: [UInt8](repeating: 0xFF, count: 6)) }, .otherMAC),
            ("ARP", mutated(fixChecksum: false) { $0[12] = 0x08; $0[13] = 0x06 }, .notIPv4(etherType: 0x0806)),
            ("IPv6", mutated(fixChecksum: false) { $0[12] = 0x86; $0[13] = 0xDD }, .notIPv4(etherType: 0x86DD)),
            ("IP version 6", mutated { $0[14] = 0x65 }, .badIPVersion(6)),
            ("IP options", mutated { $0[14] = 0x46 }, .badIPHeaderLength(words: 6)),
            ("IHL below 5", mutated { $0[14] = 0x44 }, .badIPHeaderLength(words: 4)),
            ("total length past the frame", mutated { $0[16] = 0; $0[17] = 50 }, .badIPTotalLength(declared: 50, available: 35)),
            ("total length below the headers", mutated { $0[16] = 0; $0[17] = 27 }, .badIPTotalLength(declared: 27, available: 35)),
            ("more fragments", mutated { $0[20] = 0x20 }, .fragment),
            ("fragment offset", mutated { $0[21] = 0x01 }, .fragment),
            ("bad IP checksum", mutated(fixChecksum: false) { $0[24] ^= 0x01 }, .badIPChecksum),
            ("TCP", mutated { $0[23] = 6 }, .notUDP(protocolNumber: 6)),
            ("another IP", mutated { $0[33] = 9 }, .otherIP(0x0A4D_0109)),
            ("UDP length longer", mutated { $0[39] += 1 }, .badUDPLength(declared: 16, ipPayload: 15)),
            ("UDP length shorter", mutated { $0[39] -= 1 }, .badUDPLength(declared: 14, ipPayload: 15)),
            ("another port", mutated { $0[37] = 0x5A }, .otherPort(0x1B5A)),
        ]
        let batch = PacketBatch(capacity: 1, slotSize: 64)
        var stats = PacketIOStats()
        for (name, bytes, reason) in cases {
            XCTAssertEqual(parse(bytes, for: b), .foreign(reason), name)
            XCTAssertFalse(bytes.withUnsafeBytes { EthernetFraming.deliver($0, for: b, into: batch, slot: 0, stats: &stats) }, name)
            XCTAssertFalse(reason.description.isEmpty)
        }
        XCTAssertEqual(stats.foreignFrames, UInt64(cases.count))
        XCTAssertEqual(stats.oversized, 0)
    }

    func testPayloadLargerThanASlotIsCountedOversized() {
        let bytes = frame([UInt8](repeating: 1, count: 65), from: a, to: b)
        let batch = PacketBatch(capacity: 1, slotSize: 64)
        var stats = PacketIOStats()
        XCTAssertFalse(bytes.withUnsafeBytes { EthernetFraming.deliver($0, for: b, into: batch, slot: 0, stats: &stats) })
        XCTAssertEqual(stats.oversized, 1)
        XCTAssertEqual(stats.foreignFrames, 0)
    }

    func testRandomAndMutatedBytesNeverTrap() {
        var generator = SplitMix64(seed: 2024)
        let good = frame(Array("a valid Mason payload".utf8), from: a, to: b)
        let batch = PacketBatch(capacity: 1, slotSize: 32)
        var stats = PacketIOStats()
        var delivered = 0
        for round in 0 ..< 20000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0 ..< Int.random(in: 0 ... 100, using: &generator)).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            } else {
                bytes = Array(good[..<Int.random(in: 0 ... good.count, using: &generator)])
                for _ in 0 ..< Int.random(in: 0 ... 3, using: &generator) where !bytes.isEmpty {
                    bytes[Int.random(in: 0 ..< bytes.count, using: &generator)] = UInt8.random(in: 0 ... 255, using: &generator)
                }
            }
            if case let .datagram(_, offset, length) = parse(bytes, for: b) {
                XCTAssertLessThanOrEqual(offset + length, bytes.count)
            }
            if bytes.withUnsafeBytes({ EthernetFraming.deliver($0, for: b, into: batch, slot: 0, stats: &stats) }) { delivered += 1 }
        }
        XCTAssertEqual(UInt64(delivered) + stats.foreignFrames + stats.oversized, 20000)
        XCTAssertGreaterThan(delivered, 0, "untouched whole frames among the mutations are delivered")
    }

    func testMaxPayloadFollowsTheMTU() {
        XCTAssertEqual(EthernetFraming.maxPayloadSize(mtu: 1500), 1472)
        XCTAssertEqual(EthernetFraming.maxPayloadSize(mtu: 9000), 8972)
        XCTAssertEqual(EthernetFraming.maxPayloadSize(mtu: 20), 0)
        XCTAssertEqual(EthernetFraming.maxPayloadSize(mtu: 70000), EthernetFraming.maxPayloadSize)
    }
}
