import Foundation
import Modbus
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// glibc aborts the whole process when select() is given a descriptor above FD_SETSIZE (1024),
/// and libmodbus waits with select() in its TCP connect and its receive. A daemon run with a
/// high `ulimit -n` (its control-connection cap follows the limit) gets there; so did the test
/// process running many suites at once, which crashed in a bus thread's connect.
@Suite("descriptors above 1024")
struct HighDescriptorTests {
    @Test("a client and server whose sockets are above FD_SETSIZE connect, read and answer (was an abort)")
    func aboveFDSetSize() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 2048 {
            limit.rlim_cur = min(limit.rlim_max, 4096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        try #require(limit.rlim_cur >= 1200, "the descriptor limit (\(limit.rlim_cur)) cannot be raised above 1200")
        // Fill the low descriptors so the sockets made next are numbered above 1024.
        var fillers: [Int32] = []
        defer { for fd in fillers { close(fd) } }
        while fillers.count < 1100 {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { break }
            fillers.append(fd)
            if fd > 1040 { break }
        }
        try #require((fillers.last ?? 0) > 1024)

        let server = try LoopbackServer()
        server.mapping.setRegister(.inputRegister, 1, 0x0131)
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        try client.connect()
        try client.setUnit(1)
        #expect(try client.readRegisters(.inputRegister, address: 0, count: 3) == [0, 0x0131, 0])
        // A refused connect is reported, not aborted, too.
        client.close()
        server.stop()
        // A port bound and never listened on refuses for as long as it is held; a port just freed
        // could be taken by a test running beside this one (the connect then succeeded).
        let held = try RefusingPort()
        defer { held.close() }
        let again = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: held.port))
        let error = try #require(throws: ModbusError.self) { try again.connect() }
        #expect(error.description.contains("connect"))
    }

    @Test("a bus host that does not resolve says so and names the key, not 'Connection refused'")
    func unresolvableHost() throws {
        let client = try ModbusClient(endpoint: .tcp(host: "no-such-gateway.invalid", port: 502))
        let error = try #require(throws: ModbusError.self) { try client.connect() }
        #expect(error.description.contains("host 'no-such-gateway.invalid' does not resolve"))
        #expect(error.description.contains("tcp host"))
        #expect(error.kind == .connection)
    }
}

/// A loopback TCP port that refuses connections while held: bound, never listened on.
struct RefusingPort {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RefusingPortError() }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { Glibc.close(fd); throw RefusingPortError() }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: addr.sin_port))
    }

    func close() { Glibc.close(fd) }
}

struct RefusingPortError: Error {}
