import Foundation
import Modbus
public import SiteConfig
public import Polling
import Synchronization

/// How a simulated device answers.
public enum Behaviour: Sendable, Equatable {
    case answer
    /// Says nothing, so the master times out.
    case silent
    /// Answers every request with this exception code.
    case exception(UInt8)
}

/// One simulated slave: its register tables and how it answers. The mapping is shared by the
/// server thread and the control channel, so every access holds `lock`.
public final class SimulatedDevice: @unchecked Sendable {
    public let device: Device
    let mapping: ModbusMapping
    let lock = NSLock()
    private var behaviour: Behaviour = .answer
    private var received = 0
    /// Called (under the lock) after a master writes, so the site can model wiring (test relays).
    var afterWrite: (@Sendable (SimulatedDevice) -> Void)?

    init(device: Device) throws(ModbusError) {
        self.device = device
        func size(_ t: ModbusTable) -> Int {
            max(1, device.profile.points.filter { ModbusTable($0.table) == t }.map { $0.address + $0.span }.max() ?? 0)
        }
        mapping = try ModbusMapping(coils: size(.coil), discreteInputs: size(.discreteInput),
                                    holdingRegisters: size(.holdingRegister), inputRegisters: size(.inputRegister))
    }

    public func setBehaviour(_ b: Behaviour) { lock.withLock { behaviour = b } }
    public var currentBehaviour: Behaviour { lock.withLock { behaviour } }
    /// Requests addressed to this device so far, answered or not.
    public var requestsReceived: Int { lock.withLock { received } }

    /// Serves one request under the lock.
    func handle(_ request: ServerRequest, reply: (ServerAnswer) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        received += 1
        switch behaviour {
        case .silent: reply(.silence)
        case .exception(let code): reply(.exception(code))
        case .answer:
            reply(.reply(mapping))
            if [5, 6, 15, 16].contains(request.functionCode) { afterWrite?(self) }
        }
    }

    /// Writes a reading into element `index` of `point`.
    public func write(_ reading: Reading, to point: PointDefinition, index: Int) throws(PointCodec.EncodeError) {
        lock.lock()
        defer { lock.unlock() }
        try writeLocked(reading, to: point, index: index)
    }

    func writeLocked(_ reading: Reading, to point: PointDefinition, index: Int) throws(PointCodec.EncodeError) {
        let address = point.address(ofElement: index), table = ModbusTable(point.table)
        if table.isBitTable {
            let words = try PointCodec.encode(reading, for: point)
            mapping.setBit(table, address, words[0] != 0)
            return
        }
        let words = try PointCodec.encode(reading, for: point, current: mapping.register(table, address))
        for (i, w) in words.enumerated() { mapping.setRegister(table, address + i, w) }
    }

    /// Reads element `index` of `point` back as the poller would decode it.
    public func read(_ point: PointDefinition, index: Int) -> Reading {
        lock.lock()
        defer { lock.unlock() }
        return readLocked(point, index: index)
    }

    func readLocked(_ point: PointDefinition, index: Int) -> Reading {
        let address = point.address(ofElement: index), table = ModbusTable(point.table)
        let single = point.element(index)
        if table.isBitTable { return PointCodec.decode(single, bits: [mapping.bit(table, address)][...])[0] }
        let words = (0..<point.elementWidth).map { mapping.register(table, address + $0) }
        return PointCodec.decode(single, words: words[...])[0]
    }
}
