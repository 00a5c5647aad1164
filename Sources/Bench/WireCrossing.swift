import Protocols

/// A message crossing the network in a benchmark: encoded into one reused buffer and decoded
/// again, as a transport would (benchmark messages are valid, so neither step can fail).
struct WireCrossing {
    private var buffer = [UInt8](repeating: 0, count: WireFormat.maxMessageSize)

    mutating func cross(_ message: Message) -> Message {
        buffer.withUnsafeMutableBytes { raw in
            var writer = ByteWriter(raw)
            do {
                try message.encode(into: &writer)
                return try Message(decoding: UnsafeRawBufferPointer(rebasing: raw[0 ..< writer.count]))
            } catch {
                preconditionFailure("a benchmark message did not cross the wire: \(error)")
            }
        }
    }
}
