import Foundation

/// This machine's hugepage reservations (every NUMA node's, every size), saved before a test that
/// lets `masond prepare` change them and written back after it.
struct HugepageSetting {
    private var saved: [(path: String, value: String)] = []

    init() {
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/devices/system/node")) ?? []
        for node in nodes where node.hasPrefix("node") && node.dropFirst(4).allSatisfy(\.isNumber) {
            let folder = "/sys/devices/system/node/\(node)/hugepages"
            for size in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = "\(folder)/\(size)/nr_hugepages"
                if let value = try? String(contentsOfFile: path, encoding: .utf8) { saved.append((path, value)) }
            }
        }
    }

    /// The value now in each saved file, by path.
    var current: [String: String] {
        Dictionary(saved.map { ($0.path, (try? String(contentsOfFile: $0.path, encoding: .utf8)) ?? "?") }, uniquingKeysWith: { a, _ in a })
    }

    var original: [String: String] { Dictionary(saved.map { ($0.path, $0.value) }, uniquingKeysWith: { a, _ in a }) }

    /// Writes every saved value back.
    func restore() {
        for (path, value) in saved { try? value.write(toFile: path, atomically: false, encoding: .utf8) }
    }
}
