import CLinux
import Control
import Foundation
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// `masond serve`: the control server and the daemon behind it, until SIGTERM or SIGINT.
public enum DaemonService {
    /// `MASOND_SOCKET`, else /run/masond.sock for root and /tmp/masond-UID.sock for others.
    public static var defaultSocketPath: String {
        if let path = ProcessInfo.processInfo.environment["MASOND_SOCKET"], !path.isEmpty { return path }
        return geteuid() == 0 ? "/run/masond.sock" : "/tmp/masond-\(geteuid()).sock"
    }

    /// Serves until a SIGTERM or SIGINT arrives, then stops every role, closes the socket and
    /// removes it. Throws when the socket cannot be served (another daemon holds it, say) or DPDK
    /// does not initialise.
    /// `parent`: a process id whose end ends this daemon too (the local testbed's masonlab: a
    /// daemon notices a lost controller, even one killed with SIGKILL).
    /// `idleTimeout`: a control connection without a request for this long is closed.
    public static func serve(socketPath: String, address: String, dpdkArguments: String?, parent: Int32? = nil,
                             idleTimeout: Duration = ControlServer.defaultIdleTimeout) throws {
        // Block the stop signals in every thread (workers inherit the mask), then wait for them here.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
        if let parent, clinux_terminate_with_parent(parent) != 0 {
            throw DaemonError("the controller (pid \(parent)) is already gone; not serving.")
        }

        let dpdk = try dpdkArguments.map { try DPDKHost(arguments: $0) }
        let daemon = Daemon(address: address, dpdk: dpdk)
        let server = ControlServer(socketPath: socketPath, handler: daemon, idleTimeout: idleTimeout,
                                   keepsIdleConnections: { daemon.hasRunningRoles })
        try server.start()
        FileHandle.standardError.write(Data("masond \(Daemon.version): serving \(socketPath) (data plane \(address)\(dpdk == nil ? "" : ", DPDK"))\n".utf8))
        var received: Int32 = 0
        sigwait(&signals, &received)
        FileHandle.standardError.write(Data("masond: signal \(received), stopping\n".utf8))
        server.stop()
        _ = daemon.reset()
    }
}

/// Why the daemon cannot serve, as one sentence.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
