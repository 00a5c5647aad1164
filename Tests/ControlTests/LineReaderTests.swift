import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

/// The framing both ends use, over a pipe.
@Suite struct LineReaderTests {
    /// A pipe whose write end has received `chunks` (separate writes) and is then closed.
    func reader(after chunks: [String], maxLineBytes: Int) -> LineReader {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        for chunk in chunks { #expect(Descriptor.writeAll(ends[1], Array(chunk.utf8), isSocket: false) == 0) }
        close(ends[1])
        return LineReader(fd: ends[0], maxLineBytes: maxLineBytes)
    }

    @Test func linesSplitAcrossWritesAreReassembled() {
        let reader = reader(after: ["ab", "c\nde", "f\n\ng\n"], maxLineBytes: 16)
        defer { close(reader.fd) }
        #expect(reader.next() == .line(Array("abc".utf8)))
        #expect(reader.next() == .line(Array("def".utf8)))
        #expect(reader.next() == .line([]))
        #expect(reader.next() == .line(Array("g".utf8)))
        #expect(reader.next() == .end(partialBytes: 0))
        #expect(reader.next() == .end(partialBytes: 0))
    }

    @Test func aLineOverTheLimitIsReportedWithItsSizeAndSkipped() {
        let reader = reader(after: ["1234\n", "12345\n", "ok\n"], maxLineBytes: 4)
        defer { close(reader.fd) }
        #expect(reader.next() == .line(Array("1234".utf8)))
        #expect(reader.next() == .tooLong(byteCount: 5))
        #expect(reader.next() == .line(Array("ok".utf8)))
    }

    @Test func aLongLineArrivingInPiecesIsDiscardedAsItComes() {
        // More than the buffers hold, so the reader must consume (and drop) while the writer
        // writes. Each end has one owner (the writer thread closes its own), and both are bounded
        // by timeouts, so a failing reader or writer ends the test instead of blocking it.
        let (readEnd, writeEnd) = boundedSocketPair()
        let writer = Background { () -> Bool in
            defer { close(writeEnd) }
            let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 7000)
            for _ in 0..<30 where Descriptor.writeAll(writeEnd, piece, isSocket: true) != 0 { return false }
            return Descriptor.writeAll(writeEnd, Array("\nnext\n".utf8), isSocket: true) == 0
        }
        let reader = LineReader(fd: readEnd, maxLineBytes: 100)
        #expect(reader.next() == .tooLong(byteCount: 210_000))
        #expect(reader.next() == .line(Array("next".utf8)))
        #expect(reader.next() == .end(partialBytes: 0))
        #expect(writer.value() == true)
        // Closed only once the writer is done with its end (or has given up writing to this one).
        close(readEnd)
    }

    @Test func inputEndingMidLineReportsTheDroppedBytes() {
        let reader = reader(after: ["whole\n", "half"], maxLineBytes: 16)
        defer { close(reader.fd) }
        #expect(reader.next() == .line(Array("whole".utf8)))
        #expect(reader.next() == .end(partialBytes: 4))
    }

    @Test func aReadErrorIsReported() {
        let reader = LineReader(fd: -1)
        #expect(reader.next() == .failed(errno: EBADF))
    }
}
