internal import CModbus

/// The four data tables a simulated slave answers from (a `modbus_mapping_t`).
///
/// libmodbus does not protect a mapping; the owner (the simulator's device) serialises
/// every access with its own lock.
public final class ModbusMapping: @unchecked Sendable {
    let raw: UnsafeMutablePointer<modbus_mapping_t>

    /// Sizes are the number of items per table, starting at address 0.
    public init(coils: Int, discreteInputs: Int, holdingRegisters: Int, inputRegisters: Int) throws(ModbusError) {
        guard let m = modbus_mapping_new(Int32(coils), Int32(discreteInputs), Int32(holdingRegisters),
                                         Int32(inputRegisters))
        else { throw ModbusError.last("allocate mapping") }
        raw = m
    }

    deinit { modbus_mapping_free(raw) }

    public func count(_ table: ModbusTable) -> Int {
        switch table {
        case .coil: Int(raw.pointee.nb_bits)
        case .discreteInput: Int(raw.pointee.nb_input_bits)
        case .holdingRegister: Int(raw.pointee.nb_registers)
        case .inputRegister: Int(raw.pointee.nb_input_registers)
        }
    }

    public func bit(_ table: ModbusTable, _ address: Int) -> Bool {
        switch table {
        case .coil: raw.pointee.tab_bits[address] != 0
        case .discreteInput: raw.pointee.tab_input_bits[address] != 0
        default: preconditionFailure("not a bit table")
        }
    }

    public func setBit(_ table: ModbusTable, _ address: Int, _ value: Bool) {
        switch table {
        case .coil: raw.pointee.tab_bits[address] = value ? 1 : 0
        case .discreteInput: raw.pointee.tab_input_bits[address] = value ? 1 : 0
        default: preconditionFailure("not a bit table")
        }
    }

    public func register(_ table: ModbusTable, _ address: Int) -> UInt16 {
        switch table {
        case .holdingRegister: raw.pointee.tab_registers[address]
        case .inputRegister: raw.pointee.tab_input_registers[address]
        default: preconditionFailure("not a register table")
        }
    }

    public func setRegister(_ table: ModbusTable, _ address: Int, _ value: UInt16) {
        switch table {
        case .holdingRegister: raw.pointee.tab_registers[address] = value
        case .inputRegister: raw.pointee.tab_input_registers[address] = value
        default: preconditionFailure("not a register table")
        }
    }
}
