import CLinux
import Foundation
import Protocols
import Synchronization
import Transport

/// The UDP transport against the kernel's best: a load generator keeps a window of heartbeat
/// datagrams (one message each) in flight to an echo server, once a raw recvmmsg/sendmmsg loop
/// that sends every datagram straight back, once a `Worker` hosting a sequencer, which decodes
/// each message, answers it through the codec and coalesces the replies to one peer. Both servers
/// run on core 1, the generator on core 0. Counts messages answered per second.
/// Throws when a loopback socket cannot be opened.
public func benchmarkUDPTransport(seconds: Double) throws -> [BenchResult] {
    let raw = try echoRate(seconds: seconds, transport: false, coalesce: false)
    let single = try echoRate(seconds: seconds, transport: true, coalesce: false)
    let worker = try echoRate(seconds: seconds, transport: true, coalesce: true)
    return [
        BenchResult(name: "udp-raw", unit: "messages/s echoed by a raw recvmmsg/sendmmsg loop", operations: raw.0,
                    seconds: raw.1, target: nil),
        BenchResult(name: "udp-worker-1", unit: "messages/s answered by a Worker hosting a sequencer, one per datagram (target: 70% of raw)",
                    operations: single.0, seconds: single.1, target: Double(raw.0) / raw.1 * 0.7),
        BenchResult(name: "udp-worker", unit: "messages/s answered by the same Worker coalescing replies to one peer",
                    operations: worker.0, seconds: worker.1, target: Double(raw.0) / raw.1 * 0.7),
    ]
}

/// Lets the raw echo thread own the server socket (no other thread touches it but `wake`).
private final class StopFlag: Sendable { let value = Atomic<Bool>(false) }

private struct Handoff<T>: @unchecked Sendable { let value: T }

/// Messages answered and the seconds it took.
private func echoRate(seconds: Double, transport: Bool, coalesce: Bool) throws -> (UInt64, Double) {
    let loopback = NetAddress(ip: 0x7F00_0001, port: 0)
    let server = try UDPSocket(bind: loopback, batch: 64)
    let generator = try UDPSocket(bind: loopback, batch: 64)
    let serverEndpoint = Endpoint(0), generatorEndpoint = Endpoint(1)
    let book = AddressBook([(serverEndpoint, server.localAddress), (generatorEndpoint, generator.localAddress)])
    let stop = StopFlag()

    var worker: Worker?
    var echo: Thread?
    let echoDone = DispatchSemaphore(value: 0)
    if transport {
        let sequencer = Sequencer(endpoint: serverEndpoint, config: SequencerConfig(spaces: 1, groups: 1))
        let w = Worker(name: "bench-worker", io: server, addresses: book, roles: [sequencer], coalesce: coalesce) { _, _, _ in }
        w.start()
        w.perform { _ = clinux_pin_thread(1) }
        worker = w
    } else {
        let socket = Handoff(value: server)
        let thread = Thread {
            _ = clinux_pin_thread(1)
            let server = socket.value
            let batch = PacketBatch(capacity: 64, slotSize: 2_048)
            while !stop.value.load(ordering: .relaxed) {
                if server.receive(into: batch) > 0 { server.send(batch) } else { server.wait(timeoutNanoseconds: 1_000_000) }
            }
            echoDone.signal()
        }
        thread.start()
        echo = thread
    }

    // The generator: heartbeats from endpoint 1 to endpoint 0, a window of 256 outstanding.
    _ = clinux_pin_thread(0)
    let out = PacketBatch(capacity: 64, slotSize: 128)
    let message = Message.heartbeat(Heartbeat(group: 0, nonce: 1, durableBelow: 0))
    for i in 0 ..< 64 {
        var w = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: out.buffer(i)[Datagram.headerSize...]))
        do {
            try message.encode(into: &w)
        } catch {
            preconditionFailure("a heartbeat fits a 128-byte slot: \(error)")
        }
        Datagram.writeHeader(out.buffer(i), frames: 1, runTag: RunTag.none, source: generatorEndpoint, destination: serverEndpoint)
        out.lengths[i] = Datagram.headerSize + w.count
        out.peers[i] = server.localAddress
    }
    let inbox = PacketBatch(capacity: 64, slotSize: 65_536)
    let window = 256
    var outstanding = 0, answered: UInt64 = 0, lastAnswer = Date()
    let start = Date(), end = start.addingTimeInterval(seconds)
    while Date() < end {
        if outstanding + 64 <= window {
            out.count = 64
            outstanding += generator.send(out)
        }
        let n = generator.receive(into: inbox)
        for d in 0 ..< n {
            let frames = Int(inbox.payload(d)[3])
            answered += UInt64(frames)
            outstanding -= frames
        }
        if n > 0 { lastAnswer = Date() } else if Date().timeIntervalSince(lastAnswer) > 0.01 {
            outstanding = 0 // lost on the way (socket buffers): refill the window
            lastAnswer = Date()
        }
    }
    let elapsed = Date().timeIntervalSince(start)
    stop.value.store(true, ordering: .relaxed)
    server.wake()
    worker?.stop()
    if echo != nil { echoDone.wait() }
    return (answered, elapsed)
}
