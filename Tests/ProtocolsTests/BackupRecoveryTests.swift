import Protocols
import Testing

/// The backup sequencer's takeover, driven message by message. Each test names the original's bug
/// it shows fixed, where one applies.
@Suite struct BackupRecoveryTests {
    let groupA = Endpoint(10), groupB = Endpoint(20)

    func backup() -> Sequencer {
        var config = SequencerConfig(spaces: 1, groups: 2, epoch: 1)
        config.groupReplicas = [[groupA], [groupB]]
        return Sequencer(endpoint: Endpoint(1), config: config)
    }

    func sends(_ out: [Output]) -> [(Message, Endpoint)] {
        out.compactMap { if case let .send(m, to) = $0 { (m, to) } else { nil } }
    }

    /// Group `group` reports one 64-number block whose set bits are `numbers`.
    func report(_ s: Sequencer, group: UInt16, from endpoint: Endpoint, numbers: [UInt64], out: inout [Output]) {
        let shape = BitmapShape(base: 0, blocks: 1)
        s.handle(.recovery(.report(RecoveryReport(group: group, epoch: 1, blockSize: 64, spaces: [shape]))),
                 from: endpoint, at: .zero, into: &out)
        let word = numbers.reduce(UInt64(0)) { $0 | (1 << $1) }
        s.handle(.recovery(.bitmapBlock(BitmapBlock(group: group, epoch: 1, space: 0, base: 0, block: 0, words: [word]))),
                 from: endpoint, at: .zero, into: &out)
    }

    func request(_ s: Sequencer) -> SequencerReply {
        s.answer(SequencerRequest(group: 0, term: 1, epoch: 1, batchID: 1, seqRequestID: 0, durableBelow: 0,
                                  counts: SpaceCounts([1])))
    }

    @Test func backupPollsEveryReplicaOfEveryGroupOnceStarted() {
        let s = backup()
        var out: [Output] = []
        s.handle(.recovery(.start(RecoveryStart(group: 1, epoch: 1))), from: groupB, at: .zero, into: &out)
        let polled = sends(out).compactMap { message, to -> Endpoint? in
            if case .recovery(.poll) = message { to } else { nil }
        }
        #expect(Set(polled) == [groupA, groupB])
        #expect(request(s).status == .notReady)
    }

    /// Original bug 3: the base itself was never examined as a hole. Here number 0 is a hole and
    /// gets filled.
    @Test func theVeryFirstNumberIsFilledWhenItIsAHole() {
        let s = backup()
        var out: [Output] = []
        s.handle(.recovery(.start(RecoveryStart(group: 0, epoch: 1))), from: groupA, at: .zero, into: &out)
        report(s, group: 0, from: groupA, numbers: [1, 2, 5], out: &out)
        out.removeAll()
        report(s, group: 1, from: groupB, numbers: [3, 6], out: &out)
        let fills = sends(out).compactMap { message, _ -> HoleFill? in
            if case let .recovery(.holeFill(f)) = message { f } else { nil }
        }
        let holes = Set(fills.flatMap(\.ranges))
        #expect(holes == [SpaceRange(first: 0, count: 1), SpaceRange(first: 4, count: 1)])
    }

    /// Original bug 2: hole-fill acks were never awaited, so recovery could complete before the
    /// holes were filled. The backup serves only once every fill is acknowledged.
    @Test func backupServesOnlyAfterEveryFillIsAcknowledged() throws {
        let s = backup()
        var out: [Output] = []
        s.handle(.recovery(.start(RecoveryStart(group: 0, epoch: 1))), from: groupA, at: .zero, into: &out)
        report(s, group: 0, from: groupA, numbers: [1, 2, 5], out: &out)
        report(s, group: 1, from: groupB, numbers: [3, 6], out: &out)
        let fills = sends(out).compactMap { message, _ -> HoleFill? in
            if case let .recovery(.holeFill(f)) = message { f } else { nil }
        }
        let unique = Dictionary(fills.map { ($0.fill, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(!unique.isEmpty)
        #expect(request(s).status == .notReady)
        // Unanswered fills are sent again.
        out.removeAll()
        s.tick(at: .milliseconds(10), into: &out)
        #expect(sends(out).contains { if case .recovery(.holeFill) = $0.0 { true } else { false } })
        for fill in unique.values.sorted(by: { $0.fill < $1.fill }) {
            #expect(request(s).status == .notReady)
            s.handle(.recovery(.holeFillAck(HoleFillAck(group: fill.group, epoch: 1, fill: fill.fill))),
                     from: fill.group == 0 ? groupA : groupB, at: .zero, into: &out)
        }
        let served = request(s)
        #expect(served.status == .allocated)
        // The counter restarts one past the highest committed number.
        #expect(served.numbers[0].first == 7)
    }

    /// Original bug 1 (the leader-count race): the backup counts reports per group, so repeated
    /// starts and reports are idempotent.
    @Test func repeatedStartsAndReportsAreIdempotent() {
        let s = backup()
        var out: [Output] = []
        for _ in 0 ..< 3 { s.handle(.recovery(.start(RecoveryStart(group: 0, epoch: 1))), from: groupA, at: .zero, into: &out) }
        report(s, group: 0, from: groupA, numbers: [0, 1], out: &out)
        report(s, group: 0, from: groupA, numbers: [0, 1], out: &out)
        report(s, group: 1, from: groupB, numbers: [2], out: &out)
        #expect(request(s).status == .allocated)
        #expect(s.highWater == [4])
    }

    /// Original bug 6: nothing fenced the old sequencer. The primary refuses recovery messages,
    /// and a sequencer refuses a group's deposed leaders (an older term) without allocating.
    @Test func deposedLeadersAreFencedWithoutAllocating() {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 1, groups: 1))
        func ask(term: UInt64, id: UInt64) -> SequencerReply {
            s.answer(SequencerRequest(group: 0, term: term, epoch: 0, batchID: id, seqRequestID: id, durableBelow: 0,
                                      counts: SpaceCounts([1])))
        }
        #expect(ask(term: 2, id: 0).status == .allocated)
        let claim = s.answer(Claim(group: 0, term: 3, epoch: 0, durableBelow: 0))
        #expect(claim.status == .allocated)
        #expect(claim.allocations.map(\.seqRequestID) == [0])
        #expect(ask(term: 2, id: 1).status == .fenced)
        #expect(s.answer(Claim(group: 0, term: 2, epoch: 0, durableBelow: 0)).status == .fenced)
        #expect(s.highWater == [1])
        #expect(ask(term: 1, id: 0).status == .fenced)
        #expect(ask(term: 3, id: 1).status == .allocated)
    }

    /// Original bug 4: group ids were a u8 in dependencies. Groups past 255 work end to end here.
    @Test func groupsPast255AreServed() {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 1, groups: 400))
        let reply = s.answer(SequencerRequest(group: 300, term: 1, epoch: 0, batchID: 1, seqRequestID: 0, durableBelow: 0,
                                              counts: SpaceCounts([2])))
        #expect(reply.status == .allocated && reply.group == 300)
        #expect(s.answer(Claim(group: 399, term: 1, epoch: 0, durableBelow: 0)).status == .allocated)
    }
}
