import Modbus
import Polling
import SiteConfig
import Testing

/// The Modbus source reads the config's Modbus part (links, tables) into the Modbus target's types.
struct ModbusFromConfigTests {
    @Test("a bus's tcp and rtu settings become the endpoint the client connects to")
    func links() {
        #expect(ModbusEndpoint(.tcp(host: "10.0.5.21", port: 502)) == .tcp(host: "10.0.5.21", port: 502))
        let line = SerialLine(device: "/dev/ttyUSB0", baud: 19200, parity: "E", dataBits: 7, stopBits: 2, frameGap: .milliseconds(5))
        #expect(ModbusEndpoint(.rtu(line)) == .rtu(SerialSettings(device: "/dev/ttyUSB0", baud: 19200, parity: "E", dataBits: 7, stopBits: 2)))
        // Status and check-config print a bus as they did when the config held the endpoint itself.
        let bus = Bus(id: "rs485-1", source: .modbus(.rtu(line)), pollInterval: .seconds(1), timeout: .milliseconds(500))
        #expect(bus.source.description == ModbusEndpoint(.rtu(line)).description)
        #expect(BusSource.modbus(.tcp(host: "h", port: 1502)).description == ModbusEndpoint.tcp(host: "h", port: 1502).description)
        #expect(bus.isRTU)
    }

    @Test("an RTU line keeps at least t3.5 of silence between frames, whatever frame_gap_ms asks; TCP keeps none")
    func frameGapFloor() {
        let slow = SerialLine(device: "/dev/ttyS0", baud: 9600)
        #expect(ModbusLink.rtu(slow).frameGap == SerialSettings(slow).t35)
        #expect(ModbusLink.rtu(slow).frameGap > .milliseconds(3))  // 3.5 characters of 10 bits at 9600 baud
        let asked = SerialLine(device: "/dev/ttyS0", baud: 9600, frameGap: .milliseconds(20))
        #expect(ModbusLink.rtu(asked).frameGap == .milliseconds(20))
        #expect(ModbusLink.tcp(host: "h", port: 502).frameGap == .zero)
    }

    @Test("every table a profile can name is the Modbus table of the same name")
    func tables() {
        for table in RegisterTable.allCases {
            let modbus = ModbusTable(table)
            #expect(modbus.rawValue == table.rawValue)
            #expect(modbus.isBitTable == table.isBitTable)
            #expect(modbus.maxReadCount == table.maxReadCount)
        }
        #expect(Set(RegisterTable.allCases.map(ModbusTable.init)) == Set(ModbusTable.allCases))
    }

    @Test("frame_gap_ms is read into the bus's serial line")
    func frameGapFromConfig() throws {
        let config = try loadTestSite([
            "site.yaml": """
                site: {name: T}
                state_dir: /tmp/watchroom-unused
                buses:
                  - {id: rs485-1, rtu: {device: /dev/ttyUSB0, baud: 19200, parity: E}, frame_gap_ms: 7}
                devices:
                  - {id: d, bus: rs485-1, unit: 1, profile: io}
                """,
            "io.yaml": """
                model: io
                source: test
                points:
                  di: {table: discrete_input, address: 0, count: 4, type: bool}
                """,
        ])
        let line = SerialLine(device: "/dev/ttyUSB0", baud: 19200, parity: "E", frameGap: .milliseconds(7))
        #expect(config.bus("rs485-1")?.source == .modbus(.rtu(line)))
    }
}
