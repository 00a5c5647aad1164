/// The group's part in a sequencer failover (detecting the dead primary, sealing the group with a
/// switch entry, reporting bitmaps, committing the backup's hole fills) and in the GC ring.
extension Proxy {
    /// When the primary counts as dead unless it answers first (nil: there is no backup to call).
    func suspicionDeadline(_ p: LeaderPipeline) -> Instant? {
        guard p.epoch == 0, config.sequencers.count > 1 else { return nil }
        return max(p.lastHeardFromSequencer.adding(microseconds: config.sequencerTimeoutMicros), p.nextRecoveryStartAt ?? .zero)
    }

    /// No answer from the primary for `sequencerTimeoutMicros`: tell the backup, again each period.
    func suspectSequencer(_ p: LeaderPipeline, at now: Instant, into out: inout [Output]) {
        guard let deadline = suspicionDeadline(p), now >= deadline else { return }
        out.append(.send(.recovery(.start(RecoveryStart(group: config.group, epoch: 1))), to: config.sequencers[1]))
        p.nextRecoveryStartAt = now.adding(microseconds: config.sequencerTimeoutMicros)
    }

    func receive(_ message: RecoveryMessage, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        if case let .claimReply(reply) = message {
            receive(reply, from: sender, at: now, into: &out)
            return
        }
        guard let p = pipeline else {
            drops.stale += 1 // only the leader takes part; the backup polls every replica
            return
        }
        switch message {
        case let .poll(poll):
            guard poll.group == config.group, Int(poll.epoch) < config.sequencers.count,
                  sender == config.sequencers[Int(poll.epoch)] else {
                drops.rejected += 1
                return
            }
            if state.epoch >= poll.epoch {
                let shapes = state.bitmaps.map { BitmapShape(base: $0.base, blocks: UInt16(clamping: $0.blocks)) }
                let report = RecoveryReport(group: config.group, epoch: state.epoch, blockSize: UInt32(config.bitmapBlockSize),
                                            spaces: shapes)
                out.append(.send(.recovery(.report(report)), to: sender))
            } else if p.switchingTo != poll.epoch {
                // Seal the group: every batch of the old epoch that ever commits is before this entry.
                if raft.propose(.useSequencer(epoch: poll.epoch), at: now, into: &out) != nil { p.switchingTo = poll.epoch }
            }
        case let .bitmapRequest(request):
            guard request.group == config.group, state.epoch >= request.epoch, Int(request.space) < config.spaces else {
                drops.rejected += 1
                return
            }
            let bitmap = state.bitmaps[Int(request.space)]
            let block = BitmapBlock(group: config.group, epoch: request.epoch, space: request.space, base: bitmap.base,
                                    block: request.block, words: bitmap.block(Int(request.block)))
            out.append(.send(.recovery(.bitmapBlock(block)), to: sender))
        case let .holeFill(fill):
            guard fill.group == config.group, state.epoch >= fill.epoch, Int(fill.space) < config.spaces,
                  Int(fill.epoch) < config.sequencers.count, sender == config.sequencers[Int(fill.epoch)] else {
                drops.rejected += 1
                return
            }
            let base = state.bitmaps[Int(fill.space)].base
            guard fill.ranges.allSatisfy({ $0.first <= UInt64.max - UInt64($0.count)
                && $0.first + UInt64($0.count) <= base &+ GroupState.maxNumberLead }),
                  base <= UInt64.max - GroupState.maxNumberLead else {
                drops.implausible += 1
                return
            }
            if state.hasApplied(fill: fill.fill) {
                out.append(.send(.recovery(.holeFillAck(HoleFillAck(group: config.group, epoch: fill.epoch, fill: fill.fill))),
                                 to: sender))
            } else if !p.fillsProposed.contains(fill.fill) {
                if raft.propose(.fillHoles(fill), at: now, into: &out) != nil { p.fillsProposed.insert(fill.fill) }
            }
        default:
            drops.rejected += 1
        }
    }

    // MARK: The GC ring

    /// Group 0's leader starts a token around the ring (group 0, 1, ..., back to 0) every GC
    /// interval. Each leader adds how many numbers of the token's block it holds. Every number is
    /// committed by exactly one group, so a total equal to the block size means the block is
    /// complete everywhere: group 0 sends a truncate around the ring and each leader commits it.
    func gcTick(_ p: LeaderPipeline, at now: Instant, into out: inout [Output]) {
        guard config.group == 0, now >= p.nextGCAt, p.isReady else { return }
        p.nextGCAt = now.adding(microseconds: config.gcIntervalMicros)
        let counts = state.bitmaps.map { GCCount(base: $0.base, count: $0.count(inBlockAt: $0.base)) }
        if config.nextGroupReplicas.isEmpty {
            truncateComplete(counts, p, at: now, into: &out)
        } else {
            sendAround(.token(GCToken(round: now.nanoseconds, counts: counts)))
        }

        func sendAround(_ message: GCMessage) {
            for replica in config.nextGroupReplicas { out.append(.send(.gc(message), to: replica)) }
        }
    }

    func receive(_ message: GCMessage, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard let p = pipeline, p.isReady else { return } // only a serving leader takes part
        guard config.previousGroupReplicas.isEmpty || config.previousGroupReplicas.contains(sender) else {
            drops.rejected += 1
            return
        }
        switch message {
        case var .token(token):
            guard token.counts.count == config.spaces else {
                // From the previous group's replicas (checked above), another space count is a bug.
                if config.previousGroupReplicas.isEmpty { drops.rejected += 1 } else { drops.impossible += 1 }
                return
            }
            guard token.counts.allSatisfy({ $0.count <= config.bitmapBlockSize && $0.base % config.bitmapBlockSize == 0
                && $0.base <= UInt64.max - 2 * config.bitmapBlockSize }) else {
                drops.implausible += 1 // a correct token counts one block: never more than its size
                return
            }
            if config.group == 0 {
                truncateComplete(token.counts, p, at: now, into: &out) // the ring closed; group 0 counted first
                return
            }
            for space in 0 ..< config.spaces {
                let count = token.counts[space].count + state.bitmaps[space].count(inBlockAt: token.counts[space].base)
                token.counts[space].count = min(count, config.bitmapBlockSize)
            }
            forward(.token(token), into: &out)
        case let .truncate(truncate):
            guard Int(truncate.space) < config.spaces, config.group != 0 else {
                drops.rejected += 1
                return
            }
            guard ProtocolBounds.isPlausible(truncate.below, ahead: state.bitmaps[Int(truncate.space)].base) else {
                drops.implausible += 1
                return
            }
            proposeTruncate(truncate, at: now, into: &out)
            if config.nextGroup != 0 { forward(.truncate(truncate), into: &out) }
        }
    }

    private func truncateComplete(_ counts: [GCCount], _ p: LeaderPipeline, at now: Instant, into out: inout [Output]) {
        for (space, count) in counts.enumerated() where count.count >= config.bitmapBlockSize {
            let truncate = GCTruncate(space: UInt8(space), below: count.base + config.bitmapBlockSize)
            proposeTruncate(truncate, at: now, into: &out)
            forward(.truncate(truncate), into: &out)
        }
    }

    private func proposeTruncate(_ truncate: GCTruncate, at now: Instant, into out: inout [Output]) {
        guard truncate.below > state.bitmaps[Int(truncate.space)].base else { return }
        _ = raft.propose(.truncate(space: truncate.space, below: truncate.below), at: now, into: &out)
    }

    private func forward(_ message: GCMessage, into out: inout [Output]) {
        for replica in config.nextGroupReplicas { out.append(.send(.gc(message), to: replica)) }
    }
}
