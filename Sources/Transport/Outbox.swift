import Protocols

/// A worker's outgoing datagrams for one loop turn: each message is encoded in place into the
/// transmit batch, and messages from one role to one peer share a datagram until it is full.
struct Outbox {
    enum Outcome { case queued, batchFull, tooLarge }

    let batch: PacketBatch
    /// The largest payload one datagram may carry (the transport's limit, at most a slot).
    let maxPayload: Int
    /// False: one message per datagram (to measure what coalescing saves).
    let coalesce: Bool
    /// The run tag written into every datagram's header (`RunTag`).
    let runTag: UInt64
    /// The open datagram of each (source, destination) pair this turn.
    private var open: [UInt64: Int] = [:]
    private var frames: [Int]

    init(batch: PacketBatch, maxPayload: Int, coalesce: Bool = true, runTag: UInt64) {
        precondition(maxPayload > Datagram.headerSize && maxPayload <= batch.slotSize, "datagram size")
        self.batch = batch
        self.maxPayload = maxPayload
        self.coalesce = coalesce
        self.runTag = runTag
        frames = Array(repeating: 0, count: batch.capacity)
        open.reserveCapacity(batch.capacity)
    }

    var isEmpty: Bool { batch.count == 0 }

    /// Encodes `message` into the datagram from `source` to `destination` at `address`, opening a
    /// new one when there is none or it is full. `.batchFull`: send the batch, reset, try again.
    mutating func add(_ message: Message, from source: Endpoint, to destination: Endpoint, at address: NetAddress) -> Outcome {
        let key = UInt64(source.id) << 32 | UInt64(destination.id)
        if coalesce, let slot = open[key], frames[slot] < 255, append(message, to: slot) { return .queued }
        guard !batch.isFull else { return .batchFull }
        let slot = batch.count
        batch.count += 1
        batch.lengths[slot] = Datagram.headerSize
        batch.peers[slot] = address
        frames[slot] = 0
        guard append(message, to: slot) else {
            batch.count -= 1
            return .tooLarge
        }
        Datagram.writeHeader(batch.buffer(slot), frames: 1, runTag: runTag, source: source, destination: destination)
        open[key] = slot
        return .queued
    }

    /// Clears the batch after it was sent.
    mutating func reset() {
        batch.count = 0
        open.removeAll(keepingCapacity: true)
    }

    private mutating func append(_ message: Message, to slot: Int) -> Bool {
        let start = batch.lengths[slot]
        let room = UnsafeMutableRawBufferPointer(rebasing: batch.buffer(slot)[start ..< maxPayload])
        var writer = ByteWriter(room)
        do throws(WireError) {
            try message.encode(into: &writer)
        } catch {
            return false
        }
        batch.lengths[slot] = start + writer.count
        frames[slot] += 1
        batch.buffer(slot)[3] = UInt8(frames[slot])
        return true
    }
}
