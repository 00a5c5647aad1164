import Foundation

/// Work over SSH, many nodes at once: each item on a thread of its own (the work blocks on the
/// network, so plain threads rather than Swift's cooperative pool), at most `limit` at a time.
enum BoundedParallel {
    /// Calls `body(i)` for every `i` in `0 ..< count` and returns once every call has.
    static func forEach(_ count: Int, limit: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let slots = DispatchSemaphore(value: max(1, limit))
        let group = DispatchGroup()
        for i in 0 ..< count {
            slots.wait()
            group.enter()
            Thread.detachNewThread {
                body(i)
                slots.signal()
                group.leave()
            }
        }
        group.wait()
    }
}
