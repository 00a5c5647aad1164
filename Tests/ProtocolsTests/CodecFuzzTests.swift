// Fuzzing of the wire decoders with random and mutated byte strings: every input must decode or
// fail with a typed `WireError`, never trap, and whatever decodes must be canonical.
import Protocols
import Testing

@Suite struct CodecFuzzTests {

    @Test func randomByteStringsDecodeOrFailWithTypedErrorAndDecodedOnesAreCanonical() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0004)
        var stats = FuzzStats()
        for i in 0 ..< 24_000 {
            let bytes = i % 4 == 0 ? randomBytes(&rng) : randomFrameLikeBytes(&rng)
            checkFuzzInput(bytes, &stats)
        }
        stats.failures.expectNone()
        #expect(stats.inputs == 24_000)
        // Not vacuous: a fair share of the frame-like inputs are valid messages, of every type, and
        // some are appends carrying every kind of group command.
        #expect(stats.singleOK > 3_000, "only \(stats.singleOK) random inputs decoded")
        #expect(stats.packetOK > stats.singleOK, "some random inputs are valid multi-frame packets")
        let missing = (1 ... UInt8(kindCount)).filter { !stats.typesDecoded.contains($0) }
        #expect(missing.isEmpty, "no random input decoded as type \(missing)")
        #expect(stats.commandTagsDecoded == Set(1 ... 6), "group commands decoded: \(stats.commandTagsDecoded.sorted())")
    }

    @Test func mutatedValidEncodingsDecodeOrFailWithTypedErrorAndDecodedOnesAreCanonical() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0005)
        // A pool of valid packets (1 to 3 frames) of every type, with each frame's start offset.
        var pool: [(bytes: [UInt8], frameStarts: [Int])] = []
        for i in 0 ..< kindCount * 20 {
            var bytes: [UInt8] = []
            var starts: [Int] = []
            for j in 0 ..< (i % 4 == 0 ? rng.int(2 ... 3) : 1) {
                starts.append(bytes.count)
                bytes += randomValidMessage(&rng, kind: (i + j) % kindCount, small: true).encoded()
            }
            pool.append((bytes, starts))
        }
        var stats = FuzzStats()
        var decodedChanged = Set<UInt8>()
        for _ in 0 ..< 36_000 {
            let (original, starts) = pool[rng.int(0 ... pool.count - 1)]
            var bytes = original
            for _ in 0 ..< (rng.chance(0.2) ? 2 : 1) {
                mutate(&bytes, frameStarts: starts, &rng)
            }
            checkFuzzInput(bytes, &stats)
            if bytes != original, case let .success(m) = decodeOne(bytes) { decodedChanged.insert(wireTypeCode(m)) }
        }
        stats.failures.expectNone()
        #expect(stats.inputs == 36_000)
        #expect(stats.commandTagsDecoded == Set(1 ... 6), "group commands decoded: \(stats.commandTagsDecoded.sorted())")
        #expect(stats.singleOK > 3_000, "only \(stats.singleOK) mutated inputs decoded as one frame")
        #expect(stats.inputs - stats.packetOK > stats.inputs / 2, "most mutations are rejected")
        // Mutations of every type's encoding were accepted as (other) valid messages: the mutated
        // Raft, recovery and GC encodings reached deep into their decoders.
        let missing = (1 ... UInt8(kindCount)).filter { !decodedChanged.contains($0) }
        #expect(missing.isEmpty, "no mutated input decoded as type \(missing)")
    }
}
