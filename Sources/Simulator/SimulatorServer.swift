import Foundation
public import Modbus
import Polling
import SiteConfig
import Synchronization

/// Serves a `SimulatedSite` over Modbus: a TCP listener per TCP bus, an RTU slave per serial bus.
public final class SimulatorServer: Sendable {
    public let site: SimulatedSite
    private let stopping = Atomic<Bool>(false)
    private let running = Mutex<[DispatchSemaphore]>([])
    /// The address each TCP bus is really served on (after port 0 is resolved).
    public let endpoints: [String: ModbusEndpoint]

    /// Binds every bus. `portOverride` replaces a TCP bus's port (0 = any free port);
    /// `serialOverride` replaces an RTU bus's device (a pty for tests and commissioning).
    public init(site: SimulatedSite, portOverride: [String: Int] = [:], serialOverride: [String: String] = [:]) throws(ModbusError) {
        self.site = site
        var endpoints: [String: ModbusEndpoint] = [:]
        var starters: [@Sendable (SimulatorServer) -> Void] = []
        for bus in site.config.buses {
            let units = Dictionary(site.config.devices(on: bus.id).map { (UInt8($0.unit), site.devices[$0.id]!) },
                                   uniquingKeysWith: { a, _ in a })
            guard let link = bus.modbusLink else { continue }
            switch ModbusEndpoint(link) {
            case .tcp(let host, let port):
                let server = try ModbusTCPServer(host: host, port: portOverride[bus.id] ?? port)
                endpoints[bus.id] = .tcp(host: host, port: server.port)
                let box = UncheckedBox(server)
                starters.append { me in
                    me.spawn("sim-\(bus.id)") {
                        box.value.serve(until: { me.stopping.load(ordering: .relaxed) }) { request, reply in
                            // A TCP gateway answers "target device failed to respond" for an absent unit.
                            guard let d = units[request.unit] else { reply(.exception(11)); return }
                            d.handle(request, reply: reply)
                        }
                    }
                }
            case .rtu(var settings):
                if let dev = serialOverride[bus.id] { settings.device = dev }
                let server = try ModbusRTUServer(settings: settings)
                endpoints[bus.id] = .rtu(settings)
                let box = UncheckedBox(server)
                starters.append { me in
                    me.spawn("sim-\(bus.id)") {
                        box.value.serve(until: { me.stopping.load(ordering: .relaxed) }) { request, reply in
                            guard let d = units[request.unit] else { reply(.silence); return }
                            d.handle(request, reply: reply)
                        }
                    }
                }
            }
        }
        self.endpoints = endpoints
        for s in starters { s(self) }
    }

    private func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        running.withLock { $0.append(done) }
        let t = Thread {
            // Thread.name does not reach /proc on Linux; top -H and perf read this.
            ThreadName.set(name)
            body()
            done.signal()
        }
        t.name = name
        t.start()
    }

    /// Stops every server thread and waits for them (each notices within its poll tick).
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        for s in running.withLock({ $0 }) { s.wait() }
    }
}

/// Hands a server object to the one thread that will own it from then on.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
