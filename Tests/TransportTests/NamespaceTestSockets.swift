#if canImport(Glibc)
import Glibc
#endif
import Transport

/// A plain kernel UDP socket for tests. A socket belongs to the network namespace of the thread
/// that creates it, for its whole life: create it inside `NetworkNamespace.run`.
final class KernelUDPSocket {
    let fd: Int32

    init(bind address: NetAddress) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw NamespaceSetupError(description: "socket(AF_INET, SOCK_DGRAM): errno \(errno)") }
        var sa = address.sockaddr
        let bound = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw NamespaceSetupError(description: "bind \(address): errno \(code)")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8], to address: NetAddress) throws {
        var sa = address.sockaddr
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == bytes.count else { throw NamespaceSetupError(description: "sendto \(address): errno \(errno)") }
    }

    /// The next datagram and its source, or nil when none comes within `timeoutMilliseconds`.
    func receive(timeoutMilliseconds: Int32) throws -> (bytes: [UInt8], source: NetAddress)? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var source = sockaddr_in()
        var sourceLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &sourceLength) }
            }
        }
        guard n >= 0 else { throw NamespaceSetupError(description: "recvfrom: errno \(errno)") }
        return (Array(buffer[..<n]), NetAddress(source))
    }
}

/// An AF_PACKET socket that puts raw Ethernet frames on one interface, to feed a DPDK port frames
/// no UDP socket would send. Create it inside `NetworkNamespace.run` (the interface is looked up there).
final class RawFrameSocket {
    let fd: Int32
    let interfaceIndex: UInt32

    init(interface: String) throws {
        interfaceIndex = if_nametoindex(interface)
        guard interfaceIndex != 0 else { throw NamespaceSetupError(description: "no interface \(interface) here") }
        // Protocol 0: the socket sends but receives nothing.
        fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0)
        guard fd >= 0 else { throw NamespaceSetupError(description: "socket(AF_PACKET, SOCK_RAW): errno \(errno)") }
    }

    deinit { close(fd) }

    func send(_ frame: [UInt8]) throws {
        // struct sockaddr_ll (Swift's Glibc module lacks it): family u16, protocol u16 (network
        // order), ifindex i32, hatype u16, pkttype u8, halen u8, addr[8]: 20 bytes.
        var address = [UInt8](repeating: 0, count: 20)
        address.withUnsafeMutableBytes { a in
            a.storeBytes(of: UInt16(AF_PACKET), toByteOffset: 0, as: UInt16.self)
            a.storeBytes(of: Int32(interfaceIndex), toByteOffset: 4, as: Int32.self)
            a[11] = 6
            for i in 0 ..< 6 { a[12 + i] = frame.count > i ? frame[i] : 0 }
        }
        let sent = frame.withUnsafeBytes { bytes in
            address.withUnsafeBytes {
                sendto(fd, bytes.baseAddress, bytes.count, 0, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), 20)
            }
        }
        guard sent == frame.count else { throw NamespaceSetupError(description: "sendto (AF_PACKET): errno \(errno)") }
    }
}
