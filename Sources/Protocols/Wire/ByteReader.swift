/// Reads little-endian integers in place from borrowed bytes, bounds-checked: a read past the end
/// throws instead of trapping.
public struct ByteReader {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var offset: Int
    /// Where `bytes` starts in the packet, so errors name packet offsets.
    @usableFromInline let base: Int

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.init(bytes, base: 0)
    }

    init(_ bytes: UnsafeRawBufferPointer, base: Int) {
        self.bytes = bytes
        self.base = base
        offset = 0
    }

    /// The packet offset of the next byte to read.
    public var position: Int { base + offset }

    public var remaining: Int { bytes.count - offset }

    @inlinable
    mutating func read<T: FixedWidthInteger>(_: T.Type) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(offset: position, needed: size - remaining) }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    @inlinable public mutating func u8() throws(WireError) -> UInt8 { try read(UInt8.self) }
    @inlinable public mutating func u16() throws(WireError) -> UInt16 { try read(UInt16.self) }
    @inlinable public mutating func u32() throws(WireError) -> UInt32 { try read(UInt32.self) }
    @inlinable public mutating func u64() throws(WireError) -> UInt64 { try read(UInt64.self) }

    /// A sub-reader over the next `count` bytes, which this reader skips.
    mutating func slice(_ count: Int) throws(WireError) -> ByteReader {
        guard remaining >= count else { throw .truncated(offset: position, needed: count - remaining) }
        let sub = UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + count])
        let reader = ByteReader(sub, base: position)
        offset += count
        return reader
    }
}

/// Writes little-endian integers in place into a caller's buffer, bounds-checked.
public struct ByteWriter {
    @usableFromInline let bytes: UnsafeMutableRawBufferPointer
    @usableFromInline var offset: Int

    public init(_ bytes: UnsafeMutableRawBufferPointer) {
        self.bytes = bytes
        offset = 0
    }

    /// Bytes written so far.
    public var count: Int { offset }

    @inlinable
    mutating func write<T: FixedWidthInteger>(_ value: T) throws(WireError) {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else {
            throw .bufferTooSmall(needed: offset + size, available: bytes.count)
        }
        bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
        offset += size
    }

    @inlinable public mutating func u8(_ v: UInt8) throws(WireError) { try write(v) }
    @inlinable public mutating func u16(_ v: UInt16) throws(WireError) { try write(v) }
    @inlinable public mutating func u32(_ v: UInt32) throws(WireError) { try write(v) }
    @inlinable public mutating func u64(_ v: UInt64) throws(WireError) { try write(v) }

    /// Overwrites a u16 at an earlier offset (frame lengths are patched after the body).
    mutating func patch(_ v: UInt16, at position: Int) {
        precondition(position + 2 <= offset, "patch outside the written bytes")
        bytes.storeBytes(of: v.littleEndian, toByteOffset: position, as: UInt16.self)
    }
}
