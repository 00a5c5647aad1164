/// A backup sequencer's takeover. Every group first commits a switch entry (so no batch the dead
/// primary allocated can commit afterwards), then reports its received-number bitmaps. Merged,
/// they show every number the primary handed out that no group committed: each such hole (the
/// very first number included) is given to some group to commit as a noop, and only when every
/// fill is acknowledged do the counters restart, one past the highest committed number. Numbers
/// above it that the primary had handed out are reused safely: their batches can never commit.
struct BackupRecovery {
    enum Stage: Equatable { case collecting, filling, done }

    struct BlockKey: Hashable, Comparable {
        var group: UInt16
        var space: UInt8
        var block: UInt16

        static func < (a: BlockKey, b: BlockKey) -> Bool {
            (a.group, a.space, a.block) < (b.group, b.space, b.block)
        }
    }

    var stage = Stage.collecting
    var reports: [UInt16: (report: RecoveryReport, from: Endpoint, at: Instant)] = [:]
    var blocks: [BlockKey: [UInt64]] = [:]
    var missing: Set<BlockKey> = []
    var pendingFills: [UInt32: HoleFill] = [:]
    var counters: [UInt64] = []
    var nextRetryAt: Instant

    init(at now: Instant) { nextRetryAt = now }

    var nextDeadline: Instant? { stage == .done ? nil : nextRetryAt }

    /// Merges the reported bitmaps of `space`: returns the holes below the highest committed number
    /// and the number the counter restarts at.
    func merge(space: Int, blockSize: UInt64) -> (holes: [SpaceRange], next: UInt64) {
        let shapes = reports.values.map { (group: $0.report.group, shape: $0.report.spaces[space]) }
        let base = shapes.map(\.shape.base).max() ?? 0
        let wordsPerBlock = Int(blockSize / 64)
        var union: [UInt64] = []
        for (group, shape) in shapes {
            for block in 0 ..< Int(shape.blocks) {
                let start = shape.base + UInt64(block) * blockSize
                guard start >= base, let words = blocks[BlockKey(group: group, space: UInt8(space), block: UInt16(block))] else {
                    continue
                }
                let at = Int((start - base) / 64)
                if union.count < at + wordsPerBlock { union += repeatElement(0, count: at + wordsPerBlock - union.count) }
                for (i, word) in words.enumerated() { union[at + i] |= word }
            }
        }
        guard let lastWord = union.lastIndex(where: { $0 != 0 }) else { return ([], base) }
        let next = base + UInt64(lastWord) * 64 + UInt64(64 - union[lastWord].leadingZeroBitCount)
        var holes: [SpaceRange] = []
        var n = base
        while n < next {
            let bit = n - base
            if union[Int(bit / 64)] & (1 << (bit % 64)) == 0 {
                if let last = holes.last, last.end == n, last.count < UInt32.max {
                    holes[holes.count - 1].count += 1
                } else {
                    holes.append(SpaceRange(first: n, count: 1))
                }
            }
            n += 1
        }
        return (holes, next)
    }
}

extension Sequencer {
    func receiveRecovery(_ message: RecoveryMessage, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard config.epoch > 0 else {
            drops.rejected += 1 // the primary takes no part in its own replacement
            return
        }
        switch message {
        case let .start(start) where start.epoch == config.epoch:
            if recovery == nil {
                recovery = BackupRecovery(at: now)
                out.append(.report(.note(role: endpoint, description: "recovery started (group \(start.group) suspects the primary)")))
                recoveryTick(at: now, into: &out)
            }
        case let .report(report) where report.epoch >= config.epoch:
            guard Int(report.group) < config.groups, config.groupReplicas[Int(report.group)].contains(sender) else {
                drops.rejected += 1 // only the group's own replicas report its bitmaps
                return
            }
            guard Self.isPlausible(report) else {
                drops.implausible += 1
                return
            }
            guard var r = recovery, r.stage == .collecting, Int(report.group) < config.groups, r.reports[report.group] == nil,
                  report.spaces.count == config.spaces, UInt64(report.blockSize) == firstBlockSize(r, or: report) else {
                drops.stale += 1
                return
            }
            r.reports[report.group] = (report, sender, now)
            out.append(.report(.note(role: endpoint, description: "group \(report.group) reported from \(sender)")))
            for (space, shape) in report.spaces.enumerated() {
                for block in 0 ..< shape.blocks {
                    let key = BackupRecovery.BlockKey(group: report.group, space: UInt8(space), block: block)
                    r.missing.insert(key)
                    out.append(.send(.recovery(.bitmapRequest(BitmapRequest(group: report.group, epoch: config.epoch,
                                                                            space: UInt8(space), block: block))), to: sender))
                }
            }
            recovery = r
            finishCollecting(at: now, into: &out)
        case let .bitmapBlock(block):
            let key = BackupRecovery.BlockKey(group: block.group, space: block.space, block: block.block)
            guard var r = recovery, r.stage == .collecting, r.missing.contains(key),
                  let report = r.reports[block.group]?.report, Int(block.space) < report.spaces.count,
                  report.spaces[Int(block.space)].base == block.base, block.words.count == Int(report.blockSize / 64) else {
                drops.stale += 1
                return
            }
            r.missing.remove(key)
            r.blocks[key] = block.words
            recovery = r
            finishCollecting(at: now, into: &out)
        case let .holeFillAck(ack) where ack.epoch == config.epoch:
            guard var r = recovery, r.stage == .filling, r.pendingFills[ack.fill]?.group == ack.group else {
                drops.stale += 1
                return
            }
            r.pendingFills.removeValue(forKey: ack.fill)
            recovery = r
            if r.pendingFills.isEmpty {
                finishFilling()
                out.append(.report(.note(role: endpoint, description: "recovery complete: serving")))
            }
        default:
            drops.stale += 1
        }
    }

    /// A report a proxy could send: a block size proxies accept (a multiple of 64 up to 262144),
    /// bases on block boundaries, and every reported block's numbers below 2^64 (merging adds
    /// `base + block * blockSize`).
    static func isPlausible(_ report: RecoveryReport) -> Bool {
        let blockSize = UInt64(report.blockSize)
        guard blockSize > 0, blockSize % 64 == 0, blockSize <= 262_144 else { return false }
        return report.spaces.allSatisfy { shape in
            shape.base % blockSize == 0 && shape.base <= UInt64.max - (UInt64(shape.blocks) + 1) * blockSize - ProtocolBounds.maxLead
        }
    }

    private func firstBlockSize(_ r: BackupRecovery, or report: RecoveryReport) -> UInt64 {
        UInt64(r.reports.values.first?.report.blockSize ?? report.blockSize)
    }

    /// Every group reported and every block arrived: merge, and hand out the hole fills.
    private func finishCollecting(at now: Instant, into out: inout [Output]) {
        guard var r = recovery, r.stage == .collecting, r.reports.count == config.groups, r.missing.isEmpty else { return }
        let blockSize = UInt64(r.reports.values.first!.report.blockSize)
        var fillID: UInt32 = 0
        var counters: [UInt64] = []
        for space in 0 ..< config.spaces {
            let (holes, next) = r.merge(space: space, blockSize: blockSize)
            counters.append(next)
            var chunkStart = 0
            while chunkStart < holes.count {
                let chunk = Array(holes[chunkStart ..< min(holes.count, chunkStart + 512)])
                let group = UInt16(Int(fillID) % config.groups)
                r.pendingFills[fillID] = HoleFill(group: group, epoch: config.epoch, fill: fillID, space: UInt8(space), ranges: chunk)
                fillID += 1
                chunkStart += 512
            }
        }
        r.counters = counters
        r.blocks = [:]
        r.stage = .filling
        recovery = r
        out.append(.report(.note(role: endpoint, description: "bitmaps merged: \(r.pendingFills.count) hole fills, counters \(counters)")))
        if r.pendingFills.isEmpty { finishFilling() } else { sendFills(into: &out) }
    }

    private func finishFilling() {
        guard var r = recovery else { return }
        spaces = SequenceSpaces(resumingAt: r.counters)
        r.stage = .done
        recovery = r
        isReady = true
    }

    private func sendFills(into out: inout [Output]) {
        guard let r = recovery else { return }
        for fill in r.pendingFills.values.sorted(by: { $0.fill < $1.fill }) {
            for replica in config.groupReplicas[Int(fill.group)] { out.append(.send(.recovery(.holeFill(fill)), to: replica)) }
        }
    }

    /// Re-sends whatever recovery is still waiting for.
    func recoveryTick(at now: Instant, into out: inout [Output]) {
        guard var r = recovery, r.stage != .done, now >= r.nextRetryAt else { return }
        r.nextRetryAt = now.adding(microseconds: config.recoveryRetryMicros)
        recovery = r
        switch r.stage {
        case .collecting:
            // A reporter that stopped answering for its blocks may have lost its leadership or
            // crashed: forget its report and poll the group again, so its new leader reports.
            let patience = config.recoveryRetryMicros * 20
            for (group, entry) in r.reports.sorted(by: { $0.key < $1.key })
                where now.nanoseconds(since: entry.at) > patience * 1_000 && r.missing.contains(where: { $0.group == group }) {
                r.reports.removeValue(forKey: group)
                r.missing = r.missing.filter { $0.group != group }
                r.blocks = r.blocks.filter { $0.key.group != group }
                out.append(.report(.note(role: endpoint, description: "group \(group)'s reporter \(entry.from) went quiet: polling again")))
            }
            recovery = r
            for group in 0 ..< config.groups where r.reports[UInt16(group)] == nil {
                for replica in config.groupReplicas[group] {
                    out.append(.send(.recovery(.poll(RecoveryPoll(group: UInt16(group), epoch: config.epoch))), to: replica))
                }
            }
            for key in r.missing.sorted() {
                guard let from = r.reports[key.group]?.from else { continue }
                out.append(.send(.recovery(.bitmapRequest(BitmapRequest(group: key.group, epoch: config.epoch,
                                                                        space: key.space, block: key.block))), to: from))
            }
        case .filling:
            sendFills(into: &out)
        case .done:
            break
        }
    }
}
