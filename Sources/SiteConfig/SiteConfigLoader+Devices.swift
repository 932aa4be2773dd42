import Foundation

/// `devices:` and the profiles they name (read by ProfileLoader), with the unit-id rules of a bus.
extension SiteConfigLoader.Reader {
    func device(_ m: YMap, buses: [String: Bus]) -> Device? {
        m.check(allowed: ["id", "name", "bus", "unit", "profile", "max_registers_per_request",
                          "max_bits_per_request"], in: "device")
        let id = m.required("id", in: "device")?.string("device id")
        let label = "device '\(id ?? "?")'"
        var busID: String?
        if let b = m.required("bus", in: label), let name = b.string("bus") {
            if buses[name] == nil {
                if !declaredBuses.contains(name) { b.error("\(label) is on bus '\(name)', which is not defined; buses: \(buses.keys.sorted().joined(separator: ", "))") }
            } else { busID = name }
        }
        let unit = m.required("unit", in: label)?.int("\(label) unit", in: 0...255)
        // Modbus reserves 248-254. A serial slave is 1-247 (0 is broadcast); behind TCP, 0 and 255
        // conventionally address a device that ignores the unit id, so those two are allowed there.
        if let unit, (248...254).contains(unit) {
            m["unit"]?.error("\(label) unit \(unit): unit ids 248-254 are reserved by Modbus; use 1...247 (or, for a TCP device that ignores the unit id, 0 or 255)")
        } else if let unit, let busID, buses[busID]?.isRTU == true, !(1...247).contains(unit) {
            m["unit"]?.error("\(label) unit \(unit): RTU unit ids are 1...247")
        }
        var profile: DeviceProfile?
        if let p = m.required("profile", in: label), let name = p.string("profile") {
            profile = loadProfile(name, at: p)
        }
        let maxRegs = m["max_registers_per_request"]?.int("max_registers_per_request", in: 1...125) ?? 125
        let maxBits = m["max_bits_per_request"]?.int("max_bits_per_request", in: 1...2000) ?? 2000
        if let profile {
            for point in profile.points {
                let cap = point.table.isBitTable ? maxBits : maxRegs
                if point.span > cap {
                    (m[point.table.isBitTable ? "max_bits_per_request" : "max_registers_per_request"] ?? m.at)
                        .error("\(label): point '\(point.name)' spans \(point.span) items, more than this device's cap of \(cap) per request")
                }
            }
        }
        guard let id, let busID, let unit, let profile else { return nil }
        return Device(id: id, name: m["name"]?.scalarText, bus: busID, unit: unit, profile: profile,
                      maxRegistersPerRequest: maxRegs, maxBitsPerRequest: maxBits)
    }

    func loadProfile(_ name: String, at node: YNode) -> DeviceProfile? {
        let fm = FileManager.default
        var path: String?
        if name.hasSuffix(".yaml") || name.contains("/") {
            let p = resolve(name)
            if fm.fileExists(atPath: p) { path = p }
        } else {
            path = profileDirs.map { "\($0)/\(name).yaml" }.first { fm.fileExists(atPath: $0) }
        }
        guard let path else {
            node.error("profile '\(name)' not found; looked for \(name).yaml in \(profileDirs.prefix(4).joined(separator: ", ")) (set 'profiles: [DIR]' or WATCHROOM_PROFILES)")
            return nil
        }
        if let cached = profileCache[path] { return cached }
        let p = ProfileLoader.load(file: path, sink: sink)
        profileCache[path] = p
        return p
    }

    func checkUnits(_ devices: [Item<Device>], buses: [Item<Bus>]) {
        var seen: [String: String] = [:]
        for d in devices {
            let key = "\(d.value.bus)#\(d.value.unit)"
            if let other = seen[key] {
                d.node.map("device")?["unit"]?.error("device '\(d.value.id)' has unit \(d.value.unit) on bus '\(d.value.bus)', already used by device '\(other)'")
            } else { seen[key] = d.value.id }
        }
        var serial: [String: String] = [:]
        for b in buses {
            guard case .rtu(let s) = b.value.modbusLink else { continue }
            if let other = serial[s.device] {
                let at = b.node.map("bus")?["rtu"]?.map("rtu")?["device"] ?? b.node
                at.error("buses '\(other)' and '\(b.value.id)' both use serial device \(s.device); put their devices on one bus")
            } else { serial[s.device] = b.value.id }
        }
    }
}
