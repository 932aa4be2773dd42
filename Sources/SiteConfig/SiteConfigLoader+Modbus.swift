import Foundation

/// The Modbus part of a bus entry (the model's side is ModbusSection.swift).
extension SiteConfigLoader.Reader {
    /// The Modbus link of a bus entry: `tcp: {host, port}` or `rtu: {device, baud, ...}`, with the
    /// serial line's `frame_gap_ms`.
    func modbusLink(_ m: YMap, label: String) -> ModbusLink? {
        var link: ModbusLink?
        // A setting of the serial line, written beside it in the bus entry.
        let gapMs = m["frame_gap_ms"]?.int("frame_gap_ms", in: 0...1000) ?? 0
        switch (m["tcp"], m["rtu"]) {
        case (nil, nil): m.at.error("\(label) needs either 'tcp: {host, port}' or 'rtu: {device, baud, ...}'")
        case (.some, .some): m.keyNode("rtu")?.error("\(label) has both 'tcp' and 'rtu'; a bus is one or the other")
        case (let t?, nil):
            if let tm = t.map("tcp") {
                tm.check(allowed: ["host", "port"], in: "\(label) tcp")
                let host = tm.required("host", in: "\(label) tcp")?.string("host")
                let port = tm["port"]?.int("port", in: 0...65535) ?? 502
                if let host { link = .tcp(host: host, port: port) }
            }
        case (nil, let r?):
            if let rm = r.map("rtu") {
                rm.check(allowed: ["device", "baud", "parity", "data_bits", "stop_bits"], in: "\(label) rtu")
                var device: String?
                if let d = rm.required("device", in: "\(label) rtu (the serial device path, e.g. /dev/ttyUSB0)"),
                   let path = d.string("serial device") {
                    if path.trimmingCharacters(in: .whitespaces).isEmpty {
                        d.error("\(label) serial device path is empty; name the port, e.g. /dev/ttyUSB0")
                    } else { device = path }
                }
                let baud = rm["baud"]?.int("baud", in: 300...921600) ?? 9600
                var parity: Character = "N"
                if let p = rm["parity"] {
                    if let t = p.scalarText?.uppercased(), ["N", "E", "O"].contains(t) { parity = Character(t) } else {
                        p.error("parity must be N, E or O")
                    }
                }
                let dataBits = rm["data_bits"]?.int("data_bits", in: 7...8) ?? 8
                let stopBits = rm["stop_bits"]?.int("stop_bits", in: 1...2) ?? 1
                if let device {
                    link = .rtu(SerialLine(device: device, baud: baud, parity: parity, dataBits: dataBits,
                                           stopBits: stopBits, frameGap: .milliseconds(gapMs)))
                }
            }
        }
        if m["frame_gap_ms"] != nil, case .tcp = link {
            m.keyNode("frame_gap_ms")?.error("frame_gap_ms applies only to RTU buses")
        }
        return link
    }
}
