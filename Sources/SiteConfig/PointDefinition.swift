/// How a point's value is laid out in the device's registers.
public enum ValueType: String, Sendable, Hashable, CaseIterable {
    case bool, int16, uint16, int32, uint32, float32

    /// Registers per element (bit tables: one bit per element).
    public var width: Int {
        switch self {
        case .bool, .int16, .uint16: 1
        case .int32, .uint32, .float32: 2
        }
    }
}

/// The order of the four bytes of a 32-bit value across two registers, A being the most significant.
public enum WordOrder: String, Sendable, Hashable, CaseIterable {
    /// Big-endian words, big-endian bytes (the Modbus default).
    case abcd = "ABCD"
    /// Little-endian words (word swap).
    case cdab = "CDAB"
    /// Byte swap within each word.
    case badc = "BADC"
    /// Fully little-endian.
    case dcba = "DCBA"
}

/// One named point of a device profile: where it lives and how to turn words into a value.
public struct PointDefinition: Sendable, Hashable {
    public let name: String
    /// Where the point lives on its device (the Modbus part; see ModbusSection.swift).
    public let table: RegisterTable
    public let address: Int
    /// Number of consecutive elements (an array point such as 16 inputs).
    public let count: Int
    public let type: ValueType
    public let wordOrder: WordOrder
    /// When set, the point is this bit (0-15) of a 16-bit register, and its value is a bool.
    public let bit: Int?
    public let scale: Double
    public let offset: Double
    public let unit: String?
    /// Enum labels by raw integer value.
    public let labels: [Int: String]?
    public let writable: Bool
    public let description: String?

    public init(name: String, table: RegisterTable, address: Int, count: Int = 1, type: ValueType? = nil,
                wordOrder: WordOrder = .abcd, bit: Int? = nil, scale: Double = 1, offset: Double = 0,
                unit: String? = nil, labels: [Int: String]? = nil, writable: Bool = false,
                description: String? = nil) {
        self.name = name
        self.table = table
        self.address = address
        self.count = count
        self.type = type ?? (table.isBitTable ? .bool : .uint16)
        self.wordOrder = wordOrder
        self.bit = bit
        self.scale = scale
        self.offset = offset
        self.unit = unit
        self.labels = labels
        self.writable = writable
        self.description = description
    }

    /// Items (bits or registers) one element occupies.
    public var elementWidth: Int { table.isBitTable ? 1 : type.width }

    /// Items the whole point occupies, starting at `address`.
    public var span: Int { count * elementWidth }

    /// The address of element `index`.
    public func address(ofElement index: Int) -> Int { address + index * elementWidth }

    /// Element `index` alone, as a point of its own (count 1 at that element's address).
    public func element(_ index: Int) -> PointDefinition {
        PointDefinition(name: name, table: table, address: address(ofElement: index), count: 1, type: type,
                        wordOrder: wordOrder, bit: bit, scale: scale, offset: offset, unit: unit, labels: labels,
                        writable: writable, description: description)
    }

    /// Whether the decoded value is a bool (a bit table, or a bit of a register).
    public var isBoolean: Bool { table.isBitTable || bit != nil }
}

/// A device model's register map, loaded from devices/NAME.yaml.
public struct DeviceProfile: Sendable, Hashable {
    public let model: String
    public let source: String
    public let description: String?
    /// Points in file order.
    public let points: [PointDefinition]
    /// Where the profile was read from.
    public let file: String

    public init(model: String, source: String, description: String? = nil, points: [PointDefinition], file: String) {
        self.model = model
        self.source = source
        self.description = description
        self.points = points
        self.file = file
    }

    public func point(named name: String) -> PointDefinition? { points.first { $0.name == name } }
}
