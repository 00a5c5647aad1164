// The exact little-endian byte layout of the wire format, pinned for a few messages.
import Protocols
import Testing

@Suite struct CodecLayoutTests {

    @Test func heartbeatEncodingIsVersionedLittleEndian() {
        let beat = Heartbeat(group: 0x0102, epoch: 0x0A0B_0C0D, nonce: 0x1122_3344_5566_7788,
                             durableBelow: 0x99AA_BBCC_DDEE_FF00)
        let expected: [UInt8] = [
            0x01, // version 1
            0x05, // type: heartbeat
            0x16, 0x00, // body length 22, u16 little-endian
            0x02, 0x01, // group u16
            0x0D, 0x0C, 0x0B, 0x0A, // epoch u32
            0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // nonce u64
            0x00, 0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA, 0x99, // durableBelow u64
        ]
        #expect(Message.heartbeat(beat).encoded() == expected)
        #expect(decodeOne(expected) == .success(.heartbeat(beat)))
        // The echo differs only in its type byte.
        var reply = expected
        reply[1] = 0x06
        #expect(Message.heartbeatReply(beat).encoded() == reply)
        #expect(decodeOne(reply) == .success(.heartbeatReply(beat)))
    }

    @Test func requestAndReplyEncodingsAreLittleEndianWithSpaceArraysLast() {
        let request = Message.clientRequest(ClientRequest(client: 0x0A0B_0C0D, requestID: 7, group: 3,
                                                          acknowledgedBelow: 5, counts: SpaceCounts([2, 0x0100])))
        #expect(request.encoded() == [
            0x01, 0x01, 31, 0x00,
            0x0D, 0x0C, 0x0B, 0x0A, // client u32
            7, 0, 0, 0, 0, 0, 0, 0, // requestID u64
            3, 0, // group u16
            5, 0, 0, 0, 0, 0, 0, 0, // acknowledgedBelow u64
            2, // spaces u8
            2, 0, 0, 0, 0x00, 0x01, 0, 0, // counts u32 each
        ])
        // A not-leader reply: status 1, a hint flag u8 and the hint u32, no spaces.
        let notLeader = ClientReply(client: 1, requestID: 2, group: 3, status: .notLeader, leaderHint: Endpoint(9),
                                    numbers: MultiSequenceNumber([]))
        #expect(Message.clientReply(notLeader).encoded() == [
            0x01, 0x02, 21, 0x00, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 1, 9, 0, 0, 0, 0,
        ])
        var noHint = notLeader
        noHint.leaderHint = nil
        #expect(Message.clientReply(noHint).encoded() == [
            0x01, 0x02, 21, 0x00, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0, 0, 0,
        ])
        // A range is first u64 then count u32; the epoch u32 follows the group.
        let reply = Message.sequencerReply(SequencerReply(group: 4, epoch: 1, batchID: 5, seqRequestID: 6,
                                                          status: .retransmission,
                                                          numbers: MultiSequenceNumber([SpaceRange(first: 0x0102, count: 3)])))
        #expect(reply.encoded() == [
            0x01, 0x04, 36, 0x00,
            4, 0, // group u16
            1, 0, 0, 0, // epoch u32
            5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, // batchID, seqRequestID
            1, // status: retransmission
            1, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, // 1 space: first, count
        ])
        // A sequencer request: group, term u64, epoch u32, batchID, seqRequestID, durableBelow, counts.
        #expect(Message.sequencerRequest(SequencerRequest(group: 1, term: 0x0909, epoch: 1, batchID: 2, seqRequestID: 3,
                                                          durableBelow: 4, counts: SpaceCounts([5]))).encoded()
            == [0x01, 0x03, 43, 0x00] + le(UInt16(1)) + le(UInt64(0x0909)) + le(UInt32(1)) + le(UInt64(2)) + le(UInt64(3))
            + le(UInt64(4)) + [1] + le(UInt32(5)))
        // The new statuses' codes.
        #expect([SequencerReplyStatus.fenced, .notReady, .wrongEpoch].map(\.rawValue) == [4, 5, 6])
    }

    @Test func voteRequestEncodingIsPinned() {
        let vote = Message.raft(.requestVote(VoteRequest(group: 0x0102, term: 0x1122_3344_5566_7788, candidate: 3,
                                                         lastLogIndex: 0x0105, lastLogTerm: 0x0A0B_0C0D_0E0F)))
        let expected: [UInt8] = [
            0x01, // version 1
            0x07, // type: requestVote
            0x1B, 0x00, // body length 27
            0x02, 0x01, // group u16
            0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // term u64
            0x03, // candidate u8
            0x05, 0x01, 0, 0, 0, 0, 0, 0, // lastLogIndex u64
            0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 0, 0, // lastLogTerm u64
        ]
        #expect(vote.encoded() == expected)
        #expect(decodeOne(expected) == .success(vote))
        // Its reply: group, term, voter u8, granted u8.
        let granted = Message.raft(.vote(VoteReply(group: 0x0102, term: 9, voter: 2, granted: true)))
        #expect(granted.encoded() == [0x01, 0x08, 12, 0x00, 0x02, 0x01, 9, 0, 0, 0, 0, 0, 0, 0, 2, 1])
    }

    @Test func recoveryStartEncodingIsPinned() {
        let start = Message.recovery(.start(RecoveryStart(group: 0x0A0B, epoch: 0x0102_0304)))
        let expected: [UInt8] = [
            0x01, // version 1
            0x0F, // type: recoveryStart
            0x06, 0x00, // body length 6
            0x0B, 0x0A, // group u16
            0x04, 0x03, 0x02, 0x01, // epoch u32
        ]
        #expect(start.encoded() == expected)
        #expect(decodeOne(expected) == .success(start))
        // A poll has the same body under the next type code.
        var poll = expected
        poll[1] = 0x10
        #expect(Message.recovery(.poll(RecoveryPoll(group: 0x0A0B, epoch: 0x0102_0304))).encoded() == poll)
        #expect(decodeOne(poll) == .success(.recovery(.poll(RecoveryPoll(group: 0x0A0B, epoch: 0x0102_0304)))))
    }

    @Test func appendWithABatchEncodingIsPinned() {
        let op = CommittedOperation(client: 10, requestID: 11, numbers: MultiSequenceNumber([SpaceRange(first: 12, count: 13)]),
                                    isNoop: true, acknowledgedBelow: 14)
        let append = Message.raft(.append(AppendEntries(
            group: 1, term: 2, leader: 3, prevLogIndex: 4, prevLogTerm: 5, leaderCommit: 6,
            entries: [LogEntry(term: 7, command: .batch(CommittedBatch(group: 1, seqRequestID: 8, batchID: 9, epoch: 1,
                                                                       ops: [op]))),
                      LogEntry(term: 7, command: .leaderStart(leader: 3))])))
        let body: [UInt8] = le(UInt16(1)) + le(UInt64(2)) + [3] + le(UInt64(4)) + le(UInt64(5)) + le(UInt64(6))
            + le(UInt16(2)) // entries
            + le(UInt64(7)) + [2] // entry term, tag batch
            + le(UInt16(1)) + le(UInt64(8)) + le(UInt64(9)) + le(UInt32(1)) + le(UInt16(1)) // batch: group, srid, id, epoch, ops
            + le(UInt32(10)) + le(UInt64(11)) + [1] + le(UInt64(14)) // op: client, requestID, isNoop, acknowledgedBelow
            + [1] + le(UInt64(12)) + le(UInt32(13)) // op numbers
            + le(UInt64(7)) + [1, 3] // entry term, tag leaderStart, leader
        #expect(append.encoded() == frame(type: 9, body))
        #expect(decodeOne(frame(type: 9, body)) == .success(append))
    }
}
