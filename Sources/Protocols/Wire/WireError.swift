/// Why a byte string is not a valid message. Decoding never traps: every malformed input is one of
/// these, carrying the bad value.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a field: `needed` more bytes at `offset`.
    case truncated(offset: Int, needed: Int)
    /// A frame's declared body length left bytes unread.
    case trailingBytes(count: Int)
    case unsupportedVersion(UInt8)
    case unknownType(UInt8)
    /// A per-space array with more than `maxSequenceSpaces` entries.
    case tooManySpaces(Int)
    /// A field whose value is impossible for the message (an unknown status, numbers on a reply
    /// that must not carry any, a range that wraps past 2^64, ...).
    case inconsistent(String)
    /// The output buffer is smaller than the encoded message.
    case bufferTooSmall(needed: Int, available: Int)
    /// A message whose body does not fit a frame's u16 length (the sender must split it).
    case frameTooLarge(bodyBytes: Int)

    public var description: String {
        switch self {
        case let .truncated(offset, needed): return "truncated: \(needed) more bytes needed at offset \(offset)"
        case let .trailingBytes(count): return "\(count) bytes after the end of the message"
        case let .unsupportedVersion(v): return "unsupported wire version \(v)"
        case let .unknownType(t): return "unknown message type \(t)"
        case let .tooManySpaces(n): return "\(n) sequence spaces (at most \(maxSequenceSpaces))"
        case let .inconsistent(why): return "inconsistent message: \(why)"
        case let .bufferTooSmall(needed, available): return "buffer of \(available) bytes, \(needed) needed"
        case let .frameTooLarge(bytes): return "a \(bytes)-byte body does not fit one frame"
        }
    }
}
