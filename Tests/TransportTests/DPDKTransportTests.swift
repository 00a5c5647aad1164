import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Protocols
import Transport
import TestSupport
import XCTest

/// A DPDK port (af_packet on one end of a veth pair, in namespace A) and a kernel UDP socket (on
/// the other end, in namespace B) exchange Mason datagrams. Root only: it creates namespaces.
final class DPDKTransportTests: XCTestCase {
    static let tag = String(getpid())
    /// EAL runs once per process: every DPDK test in this process must use these arguments.
    static let ealArguments = ["--no-huge", "-m", "128", "--no-pci", "-l", "0", "--file-prefix", "masond-test-\(tag)",
                               "--no-shconf", "--no-telemetry", "--log-level=warning"]

    let dpdkPort: UInt16 = 7000
    let udpPort: UInt16 = 7001

    func testMasonMessagesCrossBetweenDPDKAndKernelUDP() throws {
        let missing = geteuid() != 0 ? "the DPDK veth test needs root to create network namespaces"
            : IPTool.path == nil ? "the DPDK veth test needs the ip tool (iproute2), which is not installed" : nil
        if let missing {
            if TestPrerequisites.required { throw TestPrerequisites.Missing(missing) }
            throw XCTSkip(missing)
        }

        let testbed = try VethTestbed(tag: Self.tag, subnet: UInt8(getpid() % 250 + 1))
        addTeardownBlock {
            testbed.remove()
            // With --no-shconf EAL leaves only its empty runtime directory behind.
            rmdir("/var/run/dpdk/masond-test-\(Self.tag)")
            let namespaces = (try? NetworkNamespace.list()) ?? []
            XCTAssertFalse(namespaces.contains(testbed.a.name) || namespaces.contains(testbed.b.name), "namespaces left: \(namespaces)")
            let links = (try? IPTool.run(["link"])) ?? ""
            XCTAssertFalse(links.contains(testbed.interfaceA) || links.contains(testbed.interfaceB), "veth left in the root namespace")
        }

        // EAL starts in the root namespace; only the af_packet probe runs inside A, so no EAL thread
        // lives in A and deleting A later really removes it.
        let cpusBefore = try Self.allowedCPUs()
        let state = try DPDKEnvironment.initialise(arguments: Self.ealArguments)
        XCTAssertEqual(try Self.allowedCPUs(), cpusBefore, "EAL's pinning of the calling thread is undone")
        XCTAssertTrue(state.isInitialised)
        XCTAssertEqual(state.arguments, Self.ealArguments)
        let devargs = "net_af_packet_\(testbed.interfaceA),iface=\(testbed.interfaceA)"
        let info = try testbed.a.run { try DPDKEnvironment.probe(device: devargs) }
        XCTAssertEqual(info.mac, testbed.macA, "an af_packet port has its interface's MAC")
        XCTAssertTrue(DPDKEnvironment.state.ports.contains(info))
        XCTAssertTrue(DPDKEnvironment.state.probedDevices.contains(devargs))
        try checkEALRunsOncePerProcess()

        let dpdkAddress = NetAddress(ip: testbed.addressA, port: dpdkPort)
        let udpAddress = NetAddress(ip: testbed.addressB, port: udpPort)
        // af_packet's control calls (promiscuous mode) find the interface by name in the calling
        // thread's namespace, so the port is set up inside A too.
        let port = try testbed.a.run {
            try DPDKPort(.init(port: info.id, address: dpdkAddress, neighbours: [testbed.addressB: testbed.macB]))
        }
        defer {
            port.close()
            XCTAssertFalse(DPDKEnvironment.state.ports.contains { $0.id == info.id }, "a closed port is gone")
        }
        XCTAssertEqual(port.mac, testbed.macA)
        XCTAssertEqual(port.maxPayloadSize, 1472)
        let udp = try testbed.b.run { try KernelUDPSocket(bind: udpAddress) }
        let raw = try testbed.b.run { try RawFrameSocket(interface: testbed.interfaceB) }

        try checkDPDKToUDP(port, udp, udpAddress: udpAddress, unknownIP: testbed.addressB + 1)
        try checkUDPToDPDK(port, udp, dpdkAddress: dpdkAddress, udpAddress: udpAddress)
        try checkGarbageIsCountedAndDropped(port, udp, raw, testbed: testbed, dpdkAddress: dpdkAddress)
    }

    // MARK: - Steps

    func checkEALRunsOncePerProcess() throws {
        XCTAssertEqual(try DPDKEnvironment.initialise(arguments: Self.ealArguments).arguments, Self.ealArguments,
                       "the same arguments again: the running EAL")
        let other = Self.ealArguments + ["--no-hpet"]
        XCTAssertThrowsError(try DPDKEnvironment.initialise(arguments: other)) { error in
            XCTAssertEqual(error as? DPDKError, .alreadyInitialised(existing: Self.ealArguments, requested: other))
            XCTAssertTrue(String(describing: error).contains("cannot be initialised again"), "\(error)")
        }
        XCTAssertTrue(DPDKEnvironment.state.isInitialised)
    }

    func checkDPDKToUDP(_ port: DPDKPort, _ udp: KernelUDPSocket, udpAddress: NetAddress, unknownIP: UInt32) throws {
        let datagrams: [(Endpoint, Endpoint, [Message])] = [
            (Endpoint(1), Endpoint(2), [Self.clientRequest, Self.sequencerReply]),
            (Endpoint(3), Endpoint(4), [Self.clientReply]),
            (Endpoint(5), Endpoint(6), [Self.heartbeat]),
            (Endpoint(7), Endpoint(8), [Self.sequencerRequest, .heartbeatReply(Heartbeat(group: 1, nonce: 2, durableBelow: 3)), Self.clientRequest]),
        ]
        let batch = PacketBatch(capacity: 8, slotSize: 2048)
        for (i, (source, destination, messages)) in datagrams.enumerated() {
            put(Self.datagram(messages, from: source, to: destination), to: udpAddress, in: batch, slot: i)
        }
        put(Self.datagram([Self.heartbeat], from: Endpoint(1), to: Endpoint(2)), to: NetAddress(ip: unknownIP, port: udpPort),
            in: batch, slot: 4)
        put([UInt8](repeating: 0x4D, count: port.maxPayloadSize + 1), to: udpAddress, in: batch, slot: 5)
        let failuresBefore = port.stats.sendFailures
        XCTAssertEqual(port.send(batch), 4)
        XCTAssertEqual(port.stats.sendFailures - failuresBefore, 2, "no neighbour MAC, and a payload over the MTU")

        for (source, destination, messages) in datagrams {
            guard let (bytes, from) = try udp.receive(timeoutMilliseconds: 5000) else {
                return XCTFail("the kernel socket received nothing from the DPDK port")
            }
            XCTAssertEqual(from, port.localAddress)
            let decoded = try bytes.withUnsafeBytes { try Self.decode($0) }
            XCTAssertEqual(decoded.header.frames, messages.count)
            XCTAssertEqual(decoded.header.source, source)
            XCTAssertEqual(decoded.header.destination, destination)
            XCTAssertEqual(decoded.messages, messages)
        }
        XCTAssertNil(try udp.receive(timeoutMilliseconds: 100), "nothing else arrives")
    }

    func checkUDPToDPDK(_ port: DPDKPort, _ udp: KernelUDPSocket, dpdkAddress: NetAddress, udpAddress: NetAddress) throws {
        let datagrams: [[Message]] = [
            [Self.sequencerReply],
            [Self.clientRequest, Self.clientReply, Self.heartbeat],
            [Self.sequencerRequest],
            [Self.clientReply],
        ]
        for (i, messages) in datagrams.enumerated() {
            try udp.send(Self.datagram(messages, from: Endpoint(UInt32(10 + i)), to: Endpoint(99)), to: dpdkAddress)
        }
        let received = receive(datagrams.count, from: port)
        XCTAssertEqual(received.count, datagrams.count)
        for ((bytes, source), (i, messages)) in zip(received, datagrams.enumerated()) {
            XCTAssertEqual(source, udpAddress)
            let decoded = try bytes.withUnsafeBytes { try Self.decode($0) }
            XCTAssertEqual(decoded.header.frames, messages.count)
            XCTAssertEqual(decoded.header.source, Endpoint(UInt32(10 + i)))
            XCTAssertEqual(decoded.header.destination, Endpoint(99))
            XCTAssertEqual(decoded.messages, messages)
        }
        XCTAssertEqual(port.stats.foreignFrames, 0, "namespace A saw only the test's frames")
        XCTAssertEqual(port.stats.oversized, 0)
    }

    /// Frames no Mason peer sends reach the DPDK port: each is counted as foreign and dropped, a
    /// UDP datagram of garbage is delivered as the bytes it is (the Datagram decoder rejects it),
    /// and the port keeps working.
    func checkGarbageIsCountedAndDropped(_ port: DPDKPort, _ udp: KernelUDPSocket, _ raw: RawFrameSocket,
                                         testbed: VethTestbed, dpdkAddress: NetAddress) throws {
        let foreignBefore = port.stats.foreignFrames
        var random = SystemRandomNumberGenerator()
        // Random bytes, but never a Datagram's magic at the start.
        let garbage = [0xFF] + (1 ..< 64).map { _ in UInt8.random(in: 0 ... 255, using: &random) }

        try udp.send(garbage, to: NetAddress(ip: dpdkAddress.ip, port: dpdkAddress.port + 1))   // another port
        let a = EthernetFraming.Station(mac: testbed.macA, address: dpdkAddress)
        let b = EthernetFraming.Station(mac: testbed.macB, address: NetAddress(ip: testbed.addressB, port: udpPort))
        var badChecksum = Self.frame(Array("Mason".utf8), from: b, to: a)
        badChecksum[24] ^= 0xFF
        var otherMAC = Self.frame(Array("Mason".utf8), from: b, to: a)
        otherMAC[5] ^= 0x01
        let rawFrames: [[UInt8]] = [
            testbed.macA.array + testbed.macB.array + [0x88, 0xB5] + garbage,          // unknown EtherType
            testbed.macA.array + testbed.macB.array + [0x86, 0xDD] + garbage,          // IPv6
            Array(Self.frame(Array("Mason".utf8), from: b, to: a)[..<30]),             // truncated IPv4
            badChecksum,
            otherMAC,
        ]
        for frame in rawFrames { try raw.send(frame) }
        try udp.send(garbage, to: dpdkAddress)
        let sentinel = Self.datagram([Self.heartbeat], from: Endpoint(1), to: Endpoint(2))
        try udp.send(sentinel, to: dpdkAddress)

        let received = receive(2, from: port)
        XCTAssertEqual(received.map(\.bytes), [garbage, sentinel], "the garbage datagram, then the sentinel")
        if let first = received.first {
            XCTAssertThrowsError(try first.bytes.withUnsafeBytes { try Self.decode($0) })
        }
        XCTAssertEqual(port.stats.foreignFrames - foreignBefore, 1 + UInt64(rawFrames.count), "every foreign frame is counted")

        // DPDK → kernel: a garbage payload arrives intact and fails to decode there too.
        let batch = PacketBatch(capacity: 1, slotSize: 256)
        put(garbage, to: NetAddress(ip: testbed.addressB, port: udpPort), in: batch, slot: 0)
        XCTAssertEqual(port.send(batch), 1)
        let arrived = try udp.receive(timeoutMilliseconds: 5000)
        XCTAssertEqual(arrived?.bytes, garbage)
        XCTAssertThrowsError(try garbage.withUnsafeBytes { try Self.decode($0) })
    }

    // MARK: - Helpers

    /// Busy-polls the port until `count` datagrams arrived or 5 s passed.
    func receive(_ count: Int, from port: DPDKPort) -> [(bytes: [UInt8], source: NetAddress)] {
        let batch = PacketBatch(capacity: 16, slotSize: 2048)
        var received: [(bytes: [UInt8], source: NetAddress)] = []
        let deadline = Date().addingTimeInterval(5)
        while received.count < count, Date() < deadline {
            port.wait(timeoutNanoseconds: 1_000_000)
            for i in 0 ..< port.receive(into: batch) { received.append((Array(batch.payload(i)), batch.peers[i])) }
            if batch.count == 0 { usleep(100) }
        }
        return received
    }

    /// The calling thread's CPU affinity, as the kernel lists it.
    static func allowedCPUs() throws -> String {
        let status = try String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)
        return status.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Cpus_allowed_list:") }.map(String.init) ?? ""
    }

    func put(_ payload: [UInt8], to peer: NetAddress, in batch: PacketBatch, slot: Int) {
        payload.withUnsafeBytes { batch.buffer(slot).copyMemory(from: $0) }
        batch.lengths[slot] = payload.count
        batch.peers[slot] = peer
        batch.count = slot + 1
    }

    static func datagram(_ messages: [Message], from source: Endpoint, to destination: Endpoint) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Datagram.headerSize)
        bytes.withUnsafeMutableBytes { Datagram.writeHeader($0, frames: messages.count, runTag: RunTag.none, source: source, destination: destination) }
        for message in messages { bytes += message.encoded() }
        return bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> (header: Datagram.Header, messages: [Message]) {
        let header = try Datagram.header(bytes)
        var messages: [Message] = []
        try Message.decodePacket(UnsafeRawBufferPointer(rebasing: bytes[Datagram.headerSize...]), into: &messages)
        guard messages.count == header.frames else {
            throw NamespaceSetupError(description: "header says \(header.frames) frames, \(messages.count) decoded")
        }
        return (header, messages)
    }

    static func frame(_ payload: [UInt8], from source: EthernetFraming.Station, to destination: EthernetFraming.Station) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: EthernetFraming.headerSize + payload.count)
        out.withUnsafeMutableBytes { frame in
            payload.withUnsafeBytes { _ = EthernetFraming.write(payload: $0, from: source, to: destination, into: frame) }
        }
        return out
    }

    static let clientRequest = Message.clientRequest(ClientRequest(client: 7, requestID: 42, group: 3, acknowledgedBelow: 40,
                                                                   counts: SpaceCounts([1, 0, 2])))
    static let clientReply = Message.clientReply(ClientReply(client: 7, requestID: 42, group: 3, status: .ok,
                                                             numbers: MultiSequenceNumber([SpaceRange(first: 100, count: 1), .empty,
                                                                                           SpaceRange(first: 7, count: 2)])))
    static let sequencerRequest = Message.sequencerRequest(SequencerRequest(group: 3, term: 2, epoch: 1, batchID: 9, seqRequestID: 5,
                                                                            durableBelow: 4, counts: SpaceCounts([3, 0, 2])))
    static let sequencerReply = Message.sequencerReply(SequencerReply(group: 3, epoch: 1, batchID: 9, seqRequestID: 5, status: .allocated,
                                                                      numbers: MultiSequenceNumber([SpaceRange(first: 1000, count: 3), .empty,
                                                                                                    SpaceRange(first: 50, count: 2)])))
    static let heartbeat = Message.heartbeat(Heartbeat(group: 3, epoch: 1, nonce: 77, durableBelow: 12))
}
