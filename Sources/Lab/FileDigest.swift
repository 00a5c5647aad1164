import ChildProcess
import Foundation

/// Facts about the masond binary `masonlab setup` installs, from the same coreutils the nodes use.
public enum FileDigest {
    /// The file's SHA-256 in hex, as `sha256sum` prints it (compared with the node's own `sha256sum`).
    public static func sha256(path: String) throws -> String {
        let output = try tool("/usr/bin/sha256sum", [path])
        guard let digest = output.split(separator: " ").first, digest.count == 64 else {
            throw LabError("sha256sum \(path) printed no digest.")
        }
        return String(digest)
    }

    /// A warning when the binary needs Swift's runtime libraries (nodes do not have them), nil when
    /// it is self-contained (built with --static-swift-stdlib) or ldd cannot tell.
    public static func dynamicSwiftWarning(path: String) -> String? {
        guard let needed = try? tool("/usr/bin/ldd", [path]), needed.contains("libswiftCore.so") else { return nil }
        return "\(path) loads Swift's runtime from \(needed.contains("/opt/swift") ? "/opt/swift" : "this machine"), "
            + "which testbed nodes lack; build a self-contained one with `make node-masond` and pass --masond .build-static/release/masond."
    }

    private static func tool(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(ChildCommand(executable, arguments, standardError: .discard), timeout: 60)
        guard result.status.succeeded else { throw LabError("\(executable) \(arguments.joined(separator: " ")) failed.") }
        return result.output
    }
}
