/// A worker's timers: a binary min-heap of (deadline, role) with lazy invalidation. Each role has
/// at most one live deadline (`armed`); re-arming pushes a new entry and leaves the old one to be
/// discarded when it surfaces.
struct TimerHeap {
    private var heap: [(deadline: UInt64, role: Int)] = []
    /// The live deadline of each role, nil when its timer is disarmed.
    private(set) var armed: [UInt64?] = []

    init(roles: Int) {
        armed = Array(repeating: nil, count: roles)
        heap.reserveCapacity(roles * 4)
    }

    /// Sets role `i`'s deadline (nil disarms it).
    mutating func arm(_ i: Int, at deadline: UInt64?) {
        guard armed[i] != deadline else { return }
        armed[i] = deadline
        guard let deadline else { return }
        heap.append((deadline, i))
        siftUp(heap.count - 1)
    }

    /// The earliest live deadline, discarding stale entries on the way.
    mutating func earliest() -> UInt64? {
        while let top = heap.first {
            if armed[top.role] == top.deadline { return top.deadline }
            pop()
        }
        return nil
    }

    /// The role whose live deadline is at or before `now`, disarmed; nil when none is due.
    mutating func popDue(now: UInt64) -> Int? {
        guard let deadline = earliest(), deadline <= now else { return nil }
        let role = heap[0].role
        pop()
        armed[role] = nil
        return role
    }

    private mutating func pop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].deadline < heap[parent].deadline else { return }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var least = i
            if l < heap.count, heap[l].deadline < heap[least].deadline { least = l }
            if r < heap.count, heap[r].deadline < heap[least].deadline { least = r }
            guard least != i else { return }
            heap.swapAt(i, least)
            i = least
        }
    }
}
