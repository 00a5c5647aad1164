import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading the small files of /sys and /proc (and their links and folders) the way node.info and
/// `masond prepare` both need: never a failure, nil or empty where a file is missing.
public enum SystemFiles {
    /// A small file's contents, unchanged (at most 1 MiB: sysfs attributes and /proc/meminfo are
    /// a few KiB); nil if unreadable.
    public static func contents(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { Descriptor.read(fd, into: $0) }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A sysfs or procfs value, whitespace-trimmed (they end in a newline); nil if unreadable.
    public static func value(_ path: String) -> String? {
        contents(path)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A symbolic link's target as stored; nil if `path` is not a link.
    public static func linkTarget(_ path: String) -> String? {
        var target = [CChar](repeating: 0, count: Int(PATH_MAX))
        let n = readlink(path, &target, target.count)
        return n > 0 ? String(decoding: target[0..<n].map(UInt8.init(bitPattern:)), as: UTF8.self) : nil
    }

    /// The names in a folder, sorted; empty if it is missing.
    public static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}
