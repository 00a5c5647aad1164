import Protocols

/// The payload of every Mason datagram, over UDP and over DPDK alike:
///
///     magic u16 = 0x4D53 | version u8 = 2 | frames u8 | run tag u64 | source endpoint u32 | destination endpoint u32
///     then `frames` codec frames (WireFormat), back to back
///
/// All little-endian. Several messages from one role to one role in a worker's loop turn share a
/// datagram; the endpoints let many roles share one socket or DPDK queue. The run tag names the
/// run that sent it (`RunTag`): a worker drops datagrams of another run (a late packet of the
/// previous attempt, another experiment on a reused port) before any role sees them.
public enum Datagram {
    public static let magic: UInt16 = 0x4D53
    /// 2: the run tag joined the header (version 1 had none).
    public static let version: UInt8 = 2
    public static let headerSize = 20

    public struct Header: Equatable, Sendable {
        public var frames: Int
        public var runTag: UInt64
        public var source: Endpoint
        public var destination: Endpoint

        public init(frames: Int, runTag: UInt64, source: Endpoint, destination: Endpoint) {
            self.frames = frames
            self.runTag = runTag
            self.source = source
            self.destination = destination
        }
    }

    public enum Malformed: Error, Equatable {
        case tooShort(Int)
        case badMagic(UInt16)
        case badVersion(UInt8)
        case noFrames
    }

    /// Reads the header; the frames follow at `headerSize`.
    public static func header(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> Header {
        guard bytes.count >= headerSize else { throw .tooShort(bytes.count) }
        let magic = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
        guard magic == Self.magic else { throw .badMagic(magic) }
        guard bytes[2] == version else { throw .badVersion(bytes[2]) }
        guard bytes[3] > 0 else { throw .noFrames }
        return Header(frames: Int(bytes[3]),
                      runTag: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt64.self)),
                      source: Endpoint(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self))),
                      destination: Endpoint(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))))
    }

    /// Writes a header with `frames` frames at the start of `buffer`.
    public static func writeHeader(_ buffer: UnsafeMutableRawBufferPointer, frames: Int, runTag: UInt64, source: Endpoint,
                                   destination: Endpoint) {
        precondition(buffer.count >= headerSize && (1 ... 255).contains(frames), "datagram header")
        buffer.storeBytes(of: magic.littleEndian, toByteOffset: 0, as: UInt16.self)
        buffer[2] = version
        buffer[3] = UInt8(frames)
        buffer.storeBytes(of: runTag.littleEndian, toByteOffset: 4, as: UInt64.self)
        buffer.storeBytes(of: source.id.littleEndian, toByteOffset: 12, as: UInt32.self)
        buffer.storeBytes(of: destination.id.littleEndian, toByteOffset: 16, as: UInt32.self)
    }

    /// A whole datagram carrying `messages` in order, in a new array (for tests and tools; workers
    /// encode in place). Precondition: 1...255 messages, each within one frame.
    public static func bytes(_ messages: [Message], runTag: UInt64, source: Endpoint, destination: Endpoint) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: headerSize)
        bytes.withUnsafeMutableBytes { writeHeader($0, frames: messages.count, runTag: runTag, source: source, destination: destination) }
        for message in messages { bytes += message.encoded() }
        return bytes
    }
}
