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
        let pieces = Array(repeating: String(repeating: "x", count: 7000), count: 30)  // 210,000 bytes
        let reader = reader(after: pieces + ["\nnext\n"], maxLineBytes: 100)
        defer { close(reader.fd) }
        #expect(reader.next() == .tooLong(byteCount: 210_000))
        #expect(reader.next() == .line(Array("next".utf8)))
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
