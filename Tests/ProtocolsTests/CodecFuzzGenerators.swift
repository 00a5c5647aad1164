// Fuzz inputs for CodecFuzzTests: random bytes, bytes shaped like frames of every type, and
// random mutations of valid packets.
import Protocols
import Testing

// MARK: - Fuzz inputs

/// Uniformly random bytes, 0 to 80 of them.
func randomBytes(_ rng: inout SplitMix64) -> [UInt8] {
    rng.bytes(rng.int(0 ... 80))
}

/// Random bytes shaped like frames: mostly version 1, a known type, a body length that usually
/// matches, and plausible booleans, statuses, counts and array entries at their offsets; sometimes
/// several such frames in a row.
func randomFrameLikeBytes(_ rng: inout SplitMix64) -> [UInt8] {
    var out: [UInt8] = []
    for _ in 0 ..< (rng.chance(0.15) ? rng.int(2 ... 3) : 1) {
        let type = rng.chance(0.9) ? UInt8(rng.int(1 ... kindCount)) : rng.byte()
        var body = frameLikeBody(type: type, &rng)
        if rng.chance(0.1) { body += rng.bytes(rng.int(1 ... 4)) }
        if rng.chance(0.1) { body.removeLast(min(body.count, rng.int(1 ... 4))) }
        var length = body.count
        if rng.chance(0.1) { length = max(0, length + rng.int(-3 ... 3)) }
        let version: UInt8 = rng.chance(0.95) ? 1 : rng.byte()
        out += [version, type] + le(UInt16(truncatingIfNeeded: length)) + body
    }
    if rng.chance(0.1) { out.removeLast(min(out.count, rng.int(1 ... 8))) }
    return out
}

extension SplitMix64 {
    /// A boolean byte: mostly 0 or 1.
    mutating func boolLike() -> UInt8 { chance(0.85) ? UInt8(int(0 ... 1)) : byte() }
    /// A status byte: mostly a known one.
    mutating func statusLike(known: Int) -> UInt8 { chance(0.85) ? UInt8(int(0 ... known - 1)) : byte() }
    /// A per-space count byte: mostly 0 to 3, sometimes around 64.
    mutating func spacesLike() -> Int { chance(0.3) ? 0 : chance(0.95) ? int(1 ... 3) : int(60 ... 70) }
    /// A u16 element count: mostly 0 to 3, sometimes around 64, rarely anything.
    mutating func count16Like() -> Int {
        let roll = next() % 100
        return roll < 85 ? int(0 ... 3) : roll < 97 ? int(60 ... 70) : Int(byte()) << 8 | Int(byte())
    }
}

/// A per-space array of counts (`entry` 4) or ranges (`entry` 12), starting with its u8 count.
func spaceArrayLike(_ rng: inout SplitMix64, entry: Int) -> [UInt8] {
    let spaces = rng.spacesLike()
    var out: [UInt8] = [UInt8(spaces)]
    for _ in 0 ..< spaces {
        if entry == 12 {
            // A range: often empty (first 0) or small, so that some decode.
            let count = rng.chance(0.3) ? 0 : UInt32(rng.next() % 5)
            let first = count == 0 && rng.chance(0.8) ? 0 : rng.chance(0.8) ? rng.next() % 1_000 : rng.next()
            out += le(first) + le(count)
        } else {
            out += le(rng.chance(0.5) ? UInt32(rng.next() % 4) : UInt32(truncatingIfNeeded: rng.next()))
        }
    }
    return out
}

/// A batch's bytes: header, u16 op count, ops (client, requestID, isNoop, acked, numbers).
func batchLike(_ rng: inout SplitMix64) -> [UInt8] {
    let ops = rng.chance(0.9) ? rng.int(0 ... 2) : rng.count16Like()
    var out = rng.bytes(22) + le(UInt16(truncatingIfNeeded: ops))
    for _ in 0 ..< min(ops, 3) {
        out += rng.bytes(12) + [rng.boolLike()] + rng.bytes(8) + spaceArrayLike(&rng, entry: 12)
    }
    return out
}

/// A hole fill's body: group, epoch, fill, space, u16 range count, ranges (mostly non-empty).
func holeFillLike(_ rng: inout SplitMix64) -> [UInt8] {
    let n = rng.count16Like()
    var out = rng.bytes(11) + le(UInt16(truncatingIfNeeded: n))
    for _ in 0 ..< min(n, 70) {
        let count = rng.chance(0.1) ? 0 : UInt32(rng.int(1 ... 9))
        out += le(rng.chance(0.9) ? rng.next() % 1_000 : rng.next()) + le(count)
    }
    return out
}

/// A group command's bytes: a tag (mostly known) and a plausible body.
func commandLike(_ rng: inout SplitMix64) -> [UInt8] {
    let tag: UInt8 = rng.chance(0.9) ? UInt8(rng.int(1 ... 6)) : rng.byte()
    switch tag {
    case 1: return [tag, rng.byte()]
    case 2: return [tag] + batchLike(&rng)
    case 3:
        let n = rng.int(0 ... 2)
        return [tag] + rng.bytes(8) + le(UInt16(n)) + (0 ..< n).flatMap { _ in batchLike(&rng) }
    case 4: return [tag] + rng.bytes(4)
    case 5: return [tag, rng.chance(0.8) ? UInt8(rng.int(0 ... 63)) : rng.byte()] + rng.bytes(8)
    case 6: return [tag] + holeFillLike(&rng)
    default: return [tag] + rng.bytes(rng.int(0 ... 8))
    }
}

/// A body shaped like the given type's.
func frameLikeBody(type: UInt8, _ rng: inout SplitMix64) -> [UInt8] {
    switch type {
    case 1: return rng.bytes(22) + spaceArrayLike(&rng, entry: 4)
    case 2:
        // Status at 14, hint flag at 15, hint u32 (0 without a flag).
        let flag = rng.boolLike()
        return rng.bytes(14) + [rng.statusLike(known: 2), flag] + (flag == 0 && rng.chance(0.8) ? le(UInt32(0)) : rng.bytes(4))
            + spaceArrayLike(&rng, entry: 12)
    case 3: return rng.bytes(38) + spaceArrayLike(&rng, entry: 4)
    case 4: return rng.bytes(22) + [rng.statusLike(known: 7)] + spaceArrayLike(&rng, entry: 12)
    case 5, 6, 13: return rng.bytes(22)
    case 7, 24: return rng.bytes(27)
    case 8, 25: return rng.bytes(11) + [rng.boolLike()]
    case 9:
        let n = rng.chance(0.9) ? rng.int(0 ... 3) : rng.count16Like()
        return rng.bytes(35) + le(UInt16(truncatingIfNeeded: n))
            + (0 ..< min(n, 4)).flatMap { _ in rng.bytes(8) + commandLike(&rng) }
    case 10: return rng.bytes(11) + [rng.boolLike()] + rng.bytes(8)
    case 11:
        let length = rng.int(0 ... 8)
        let total = rng.chance(0.8) ? UInt32(rng.int(0 ... 20)) : UInt32(truncatingIfNeeded: rng.next())
        let offset = rng.chance(0.8) ? UInt32(rng.int(0 ... 12)) : UInt32(truncatingIfNeeded: rng.next())
        return rng.bytes(27) + le(offset) + le(total) + le(UInt16(length)) + rng.bytes(length)
    case 12: return rng.bytes(23) + [rng.boolLike()]
    case 14:
        let n = rng.chance(0.9) ? rng.int(0 ... 3) : rng.count16Like()
        let next: UInt64 = rng.chance(0.8) ? UInt64(rng.int(0 ... 6)) : rng.next()
        var out = rng.bytes(14) + [rng.statusLike(known: 7)] + le(next) + le(UInt16(truncatingIfNeeded: n))
        for _ in 0 ..< min(n, 4) {
            out += le(rng.chance(0.8) ? UInt64(rng.int(0 ... 6)) : rng.next()) + spaceArrayLike(&rng, entry: 12)
        }
        return out
    case 15, 16: return rng.bytes(6)
    case 17:
        let n = rng.count16Like()
        let blockSize: UInt32 = rng.chance(0.8) ? 64 * UInt32(rng.int(0 ... 4)) : UInt32(truncatingIfNeeded: rng.next())
        return rng.bytes(6) + le(blockSize) + le(UInt16(truncatingIfNeeded: n)) + rng.bytes(10 * min(n, 70))
    case 18: return rng.bytes(9)
    case 19:
        let n = rng.count16Like()
        return rng.bytes(17) + le(UInt16(truncatingIfNeeded: n)) + rng.bytes(8 * min(n, 70))
    case 20: return holeFillLike(&rng)
    case 21: return rng.bytes(10)
    case 22:
        let n = rng.count16Like()
        return rng.bytes(8) + le(UInt16(truncatingIfNeeded: n)) + rng.bytes(16 * min(n, 70))
    case 23: return rng.bytes(9)
    default: return rng.bytes(rng.int(0 ... 30))
    }
}

/// Applies one random mutation to a valid packet.
func mutate(_ bytes: inout [UInt8], frameStarts: [Int], _ rng: inout SplitMix64) {
    func position() -> Int { rng.int(0 ... max(0, bytes.count - 1)) }
    switch rng.next() % 12 {
    case 0: // flip 1 to 3 bits
        guard !bytes.isEmpty else { return }
        for _ in 0 ..< rng.int(1 ... 3) { bytes[position()] ^= 1 << UInt8(rng.int(0 ... 7)) }
    case 1: // truncate
        guard !bytes.isEmpty else { return }
        bytes.removeLast(rng.int(1 ... max(1, bytes.count)))
    case 2: // extend with junk (sometimes a header-looking start)
        var junk = rng.bytes(rng.int(1 ... 24))
        if rng.chance(0.5) { junk[0] = 1 }
        bytes += junk
    case 3: // insert 1 to 4 bytes
        let junk = rng.bytes(rng.int(1 ... 4))
        bytes.insert(contentsOf: junk, at: rng.int(0 ... bytes.count))
    case 4: // delete 1 to 4 bytes
        guard !bytes.isEmpty else { return }
        let at = position()
        bytes.removeSubrange(at ..< min(bytes.count, at + rng.int(1 ... 4)))
    case 5: // change a frame's body length field
        let start = frameStarts[rng.int(0 ... frameStarts.count - 1)]
        guard start + 4 <= bytes.count else { return }
        let old = Int(bytes[start + 2]) | Int(bytes[start + 3]) << 8
        let new: Int = switch rng.next() % 4 {
        case 0: old + rng.int(-4 ... 4)
        case 1: 0
        case 2: 0xFFFF
        default: rng.int(0 ... 0xFFFF)
        }
        let l = le(UInt16(truncatingIfNeeded: new))
        bytes[start + 2] = l[0]
        bytes[start + 3] = l[1]
    case 6: // retype a frame: reinterpret its body as another message
        let start = frameStarts[rng.int(0 ... frameStarts.count - 1)]
        guard start + 1 < bytes.count else { return }
        bytes[start + 1] = UInt8(rng.int(0 ... kindCount + 1))
    case 7: // overwrite one byte with an edge value (booleans, statuses, tags, spaces 0/64/65, 0xFF)
        guard !bytes.isEmpty else { return }
        let edges: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 63, 64, 65, 0xFF]
        bytes[position()] = edges[rng.int(0 ... edges.count - 1)]
    case 8: // overwrite 8 bytes with an edge u64 (wrapping ranges, huge counts)
        guard bytes.count >= 8 else { return }
        let at = rng.int(0 ... bytes.count - 8)
        let v: UInt64 = [0, 1, .max, .max - 1, UInt64(UInt32.max)][rng.int(0 ... 4)]
        bytes.replaceSubrange(at ..< at + 8, with: le(v))
    case 9: // overwrite 2 bytes with an edge u16 (entry, op, range and word counts)
        guard bytes.count >= 2 else { return }
        let at = rng.int(0 ... bytes.count - 2)
        let v: UInt16 = [0, 1, 2, 64, 65, .max][rng.int(0 ... 5)]
        bytes.replaceSubrange(at ..< at + 2, with: le(v))
    case 10: // overwrite 4 bytes with an edge u32 (block sizes, snapshot offsets and totals, counts)
        guard bytes.count >= 4 else { return }
        let at = rng.int(0 ... bytes.count - 4)
        let v: UInt32 = [0, 1, 63, 64, 128, .max][rng.int(0 ... 5)]
        bytes.replaceSubrange(at ..< at + 4, with: le(v))
    default: // set a frame's version byte to 0...3
        let start = frameStarts[rng.int(0 ... frameStarts.count - 1)]
        guard start < bytes.count else { return }
        bytes[start] = UInt8(truncatingIfNeeded: rng.next() % 4)
    }
}
