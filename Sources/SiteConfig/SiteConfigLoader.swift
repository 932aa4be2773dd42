import Foundation
import Yams

/// Loads and validates a site config and the device profiles it names.
///
/// Every mistake is collected and thrown together as a `ConfigError`, each located at the
/// offending key or value, so maintenance staff fix a config in one pass.
public struct SiteConfigLoader: Sendable {
    /// Extra folders searched for device profiles (after those next to the config).
    public var profileDirectories: [String]
    /// What replaces the file's values, applied and checked during the load.
    public var overrides: LoadOverrides

    public init(profileDirectories: [String] = [], overrides: LoadOverrides = LoadOverrides()) {
        self.profileDirectories = profileDirectories
        self.overrides = overrides
    }

    static let topKeys = ["site", "state_dir", "control", "profiles", "buses", "devices", "zones", "areas",
                          "sensors", "equipment", "recorders", "shifts", "escalation", "notify", "alarms", "journal", "self_test",
                          "recordings", "visitors"]

    public func load(file: String) throws(ConfigError) -> SiteConfig {
        let sink = DiagnosticSink()
        let text = try SourceText.read(file, what: "the config file")
        let reader = Reader(file: file, sink: sink, loader: self)
        let config = reader.read(text: text)
        if !sink.items.isEmpty || config == nil {
            let items = sink.items.isEmpty
                ? [Diagnostic(file: file, line: 1, column: 1, message: "the config is not valid")] : sink.items
            throw ConfigError(Array(Set(items)).sorted())
        }
        var site = config!
        site.warnings = Array(Set(sink.warnings)).sorted()
        site.hostRequirements = reader.hostRequirements
        return site
    }

    /// Only the control socket of a config (for watchroomctl --config), without validating the rest.
    public static func controlSocket(configFile: String) throws(ConfigError) -> String {
        let sink = DiagnosticSink()
        let text = try SourceText.read(configFile, what: "the config file")
        guard let root = parseYAML(text: text, file: configFile, sink: sink), let top = root.map("the site config") else {
            throw ConfigError(sink.items)
        }
        let socket = top["control"]?.map("control")?["socket"]?.scalarText ?? "/run/watchroom/control.sock"
        return socket.hasPrefix("/") ? socket
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(socket).standardized.path
    }

    /// Folders searched for `devices/NAME.yaml`, nearest first.
    func searchPath(configFile: String) -> [String] {
        let base = URL(fileURLWithPath: configFile).deletingLastPathComponent()
        var dirs = [base.path, base.appendingPathComponent("devices").path, base.deletingLastPathComponent().path]
        if let env = ProcessInfo.processInfo.environment["WATCHROOM_PROFILES"] {
            dirs += env.split(separator: ":").map(String.init)
        }
        dirs += profileDirectories
        dirs += ["/etc/watchroom/devices", "/usr/local/share/watchroom/devices", "/usr/share/watchroom/devices"]
        return dirs
    }
}

/// One pass over one config file.
private final class Reader {
    let file: String
    let sink: DiagnosticSink
    let loader: SiteConfigLoader
    var profileDirs: [String] = []
    var profileCache: [String: DeviceProfile?] = [:]
    var declaredBuses: Set<String> = []
    var declaredDevices: Set<String> = []
    /// What the config asks of the host (checked by check-config, not here).
    var hostRequirements: [HostRequirement] = []

    init(file: String, sink: DiagnosticSink, loader: SiteConfigLoader) {
        self.file = file
        self.sink = sink
        self.loader = loader
    }

    /// A path relative to the config file's folder.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).path
    }

    /// Ids written in a list, even for entries that failed to load, so that references to
    /// them are not reported a second time as "not defined".
    func declaredIDs(_ top: YMap, _ key: String) -> Set<String> {
        guard let items = top[key]?.node.sequence else { return [] }
        return Set(items.compactMap { $0.mapping?["id"]?.string })
    }

    func read(text: String) -> SiteConfig? {
        guard let root = parseYAML(text: text, file: file, sink: sink), let top = root.map("the site config") else {
            return nil
        }
        top.check(allowed: SiteConfigLoader.topKeys, in: "the site config")
        profileDirs = (top["profiles"]?.stringList("profiles") ?? []).map { path in
            resolve(path)
        } + loader.searchPath(configFile: file)

        var siteName = "", timezone = "UTC"
        if let s = top.required("site", in: "the site config")?.map("site") {
            s.check(allowed: ["name", "timezone"], in: "site")
            siteName = s.required("name", in: "site")?.string("site name") ?? ""
            if let tz = s["timezone"] {
                if let name = tz.string("site timezone") {
                    if TimeZone(identifier: name) == nil {
                        tz.error("unknown timezone '\(name)'; use an IANA name such as Asia/Shanghai")
                    } else { timezone = name }
                }
            }
        }
        let fileStateDir = top.required("state_dir", in: "the site config")?.string("state_dir") ?? ""
        let stateDir = loader.overrides.stateDir ?? fileStateDir
        var socket = "/run/watchroom/control.sock", group: String?
        if let c = top["control"]?.map("control") {
            c.check(allowed: ["socket", "group"], in: "control")
            socket = c["socket"]?.string("control socket") ?? socket
            if let g = c["group"], let name = g.string("control group") {
                group = name
                hostRequirements.append(HostRequirement(.group(name), at: g.location))
            }
        }
        socket = loader.overrides.controlSocket ?? socket

        let buses = readList(top, "buses", required: true, what: "bus", read: bus)
        let busIDs = Dictionary(buses.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        declaredBuses = declaredIDs(top, "buses")
        for id in loader.overrides.busSources.keys.sorted() where !declaredBuses.contains(id) {
            (top.keyNode("buses") ?? root).error(
                "a source is given for bus '\(id)', which the config does not define; buses: \(declaredBuses.sorted().joined(separator: ", "))")
        }
        declaredDevices = declaredIDs(top, "devices")
        let devices = readList(top, "devices", required: true, what: "device") { self.device($0, buses: busIDs) }
        checkUnits(devices, buses: buses)
        let deviceByID = Dictionary(devices.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })

        let areas = readList(top, "areas", required: false, what: "area", read: area)
        let areaIDs = Set(areas.map(\.value.id))
        let zones = readList(top, "zones", required: false, what: "zone") { self.zone($0, devices: deviceByID, areas: areaIDs) }
        checkSharedInputs(zones, devices: deviceByID)
        let sensors = readList(top, "sensors", required: false, what: "sensor") { self.sensor($0, devices: deviceByID) }
        let equipment = readList(top, "equipment", required: false, what: "equipment") { self.equipment($0, devices: deviceByID) }
        let recorders = readList(top, "recorders", required: false, what: "recorder") { self.recorder($0, devices: deviceByID) }
        let shifts = readShifts(top)
        var supervisor: Person?
        var ackTimeout = 300, repeatS = 300
        if let e = top["escalation"]?.map("escalation") {
            e.check(allowed: ["ack_timeout_s", "repeat_s", "supervisor"], in: "escalation")
            ackTimeout = e["ack_timeout_s"]?.int("ack_timeout_s", in: 10...86400) ?? ackTimeout
            repeatS = e["repeat_s"]?.int("repeat_s", in: 10...86400) ?? repeatS
            supervisor = e["supervisor"].flatMap { person($0, what: "supervisor") }
        }
        let notify = readList(top, "notify", required: false, what: "notify target", read: notifyTarget)
        if shifts.isEmpty && !notify.isEmpty && top["shifts"]?.node.sequence?.isEmpty != false {
            (top.keyNode("notify") ?? root).warning(
                "no shifts: notifications name nobody on duty and escalate to no leader; add shifts with a leader each")
        }
        var maxShelveMinutes = 480, keepEventsDays = 400
        if let a = top["alarms"]?.map("alarms") {
            a.check(allowed: ["max_shelve_minutes"], in: "alarms")
            maxShelveMinutes = a["max_shelve_minutes"]?.int("max_shelve_minutes", in: 1...10080) ?? maxShelveMinutes
        }
        if let j = top["journal"]?.map("journal") {
            j.check(allowed: ["keep_events_days"], in: "journal")
            keepEventsDays = j["keep_events_days"]?.int("keep_events_days", in: 30...36500) ?? keepEventsDays
        }
        var testTimeout = 10, walkWindow = 30.0
        if let t = top["self_test"]?.map("self_test") {
            t.check(allowed: ["timeout_s", "walk_window_min"], in: "self_test")
            testTimeout = t["timeout_s"]?.int("timeout_s", in: 1...600) ?? testTimeout
            if let w = t["walk_window_min"], let v = w.double("walk_window_min", in: 0...480) {
                if v > 0 { walkWindow = v } else { w.error("walk_window_min must be more than 0 and at most 480") }
            }
        }
        let duty = readDuty(top)
        checkCameras(zones: zones, recorders: recorders.map(\.value))
        checkStoragePaths(recorders)
        let equipmentWithRecorders = equipment.map(\.value) + recorderEquipment(recorders.map(\.value), equipment: equipment.map(\.value))
        guard sink.items.isEmpty else { return nil }
        var site = SiteConfig(
            file: file, siteName: siteName, timezone: timezone, stateDir: stateDir, controlSocket: socket,
            controlGroup: group, buses: buses.map(\.value), devices: devices.map(\.value), zones: zones.map(\.value),
            areas: areas.map(\.value), sensors: sensors.map(\.value), equipment: equipmentWithRecorders,
            recorders: recorders.map(\.value), shifts: shifts, supervisor: supervisor, ackTimeoutSeconds: ackTimeout,
            escalationRepeatSeconds: repeatS, notify: notify.map(\.value), maxShelve: .seconds(maxShelveMinutes * 60),
            keepEventsDays: keepEventsDays)
        site.selfTestTimeoutSeconds = testTimeout
        site.walkTestWindowMinutes = walkWindow
        site.duty = duty
        return site
    }

    // MARK: lists with unique ids

    struct Item<T> { let node: YNode; let value: T }

    func readList<T>(_ top: YMap, _ key: String, required: Bool, what: String,
                     read: (YMap) -> T?) -> [Item<T>] {
        let node = required ? top.required(key, in: "the site config") : top[key]
        guard let node else { return [] }
        if node.node.null != nil { return [] }
        guard let items = node.list(key) else { return [] }
        var out: [Item<T>] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            guard let m = item.map("each entry of \(key)") else { continue }
            if let idNode = m["id"], let id = idNode.scalarText {
                if !SiteConfig.isValidID(id) {
                    idNode.error("\(what) id '\(id)' may hold only letters, digits, '-' and '_'")
                } else if let first = seen[id] {
                    idNode.error("duplicate \(what) id '\(id)' (first defined at line \(first.line))")
                } else { seen[id] = idNode.location }
            }
            if let v = read(m) { out.append(Item(node: item, value: v)) }
        }
        return out
    }

    // MARK: buses and devices

    func bus(_ m: YMap) -> Bus? {
        m.check(allowed: ["id", "name", "tcp", "rtu", "poll_interval_ms", "timeout_ms", "byte_timeout_ms",
                          "frame_gap_ms", "comm_loss_after", "gap_fill", "reconnect_max_ms"], in: "bus")
        let id = m.required("id", in: "bus")?.string("bus id")
        let label = "bus '\(id ?? "?")'"
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
        let interval = m["poll_interval_ms"]?.int("poll_interval_ms", in: 10...3_600_000) ?? 1000
        let timeout = m["timeout_ms"]?.int("timeout_ms", in: 10...60_000) ?? 500
        if m["frame_gap_ms"] != nil, case .tcp = link {
            m.keyNode("frame_gap_ms")?.error("frame_gap_ms applies only to RTU buses")
        }
        let commLoss = m["comm_loss_after"]?.int("comm_loss_after", in: 1...100) ?? 3
        let gapFill = m["gap_fill"]?.int("gap_fill", in: 0...124) ?? 8
        let reconnect = m["reconnect_max_ms"]?.int("reconnect_max_ms", in: 100...3_600_000) ?? 10_000
        guard let id, let link else { return nil }
        return Bus(id: id, source: loader.overrides.busSources[id] ?? .modbus(link), pollInterval: .milliseconds(interval), timeout: .milliseconds(timeout),
                   commLossAfter: commLoss, gapFill: gapFill, reconnectMax: .milliseconds(reconnect))
    }

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

    // MARK: point references

    /// Resolves `DEVICE.POINT[INDEX]`, reporting a dangling device, an unknown point or an index past its count.
    func pointRef(_ node: YNode, what: String, devices: [String: Device]) -> (PointRef, PointDefinition)? {
        guard let text = node.string(what) else { return nil }
        guard let ref = PointRef(parsing: text) else {
            node.error("\(what) '\(text)' must look like DEVICE.POINT or DEVICE.POINT[INDEX]")
            return nil
        }
        guard let device = devices[ref.device] else {
            // A device that is declared but invalid has its own error already.
            if !declaredDevices.contains(ref.device) {
                node.error("\(what) '\(text)' names device '\(ref.device)', which is not defined")
            }
            return nil
        }
        guard let point = device.profile.point(named: ref.point) else {
            node.error("\(what) '\(text)': profile '\(device.profile.model)' of device '\(ref.device)' has no point '\(ref.point)'; it has: \(device.profile.points.map(\.name).joined(separator: ", "))")
            return nil
        }
        guard ref.index < point.count else {
            node.error("\(what) '\(text)': index \(ref.index) is past the end of point '\(ref.point)' (\(point.count) element\(point.count == 1 ? "" : "s"), 0...\(point.count - 1))")
            return nil
        }
        return (ref, point)
    }

    /// The same reference twice is an error (a copy-paste slip). Two points that name one input
    /// (`di[2]` and `door` at the same address), or two zones sharing a test output, are warnings:
    /// one contact would raise two alarms, and testing one zone would trip the other.
    func checkSharedInputs(_ zones: [Item<Zone>], devices: [String: Device]) {
        var refs: [PointRef: String] = [:]
        var inputs: [PhysicalPoint: String] = [:]
        var tests: [PhysicalPoint: String] = [:]
        for z in zones {
            let zone = z.value, m = z.node.map("zone")
            if let other = refs[zone.input] {
                (m?["input"] ?? z.node).error("zone '\(zone.id)' uses input \(zone.input), already the input of zone '\(other)'")
                continue
            }
            refs[zone.input] = zone.id
            if let p = PhysicalPoint(zone.input, devices) {
                if let other = inputs[p] {
                    (m?["input"] ?? z.node).warning("zone '\(zone.id)' reads the same input as zone '\(other)' (\(p)); one contact would raise two alarms")
                } else { inputs[p] = zone.id }
            }
            if let test = zone.test, let p = PhysicalPoint(test, devices) {
                if let other = tests[p] {
                    (m?["test"] ?? z.node).warning("zone '\(zone.id)' shares its test output \(test) with zone '\(other)'; testing one zone opens both loops")
                } else { tests[p] = zone.id }
            }
        }
    }

    /// One input or output of a device as Modbus addresses it, whatever the profile calls it.
    struct PhysicalPoint: Hashable, CustomStringConvertible {
        let device: String
        let table: RegisterTable
        let address: Int
        let bit: Int?

        init?(_ ref: PointRef, _ devices: [String: Device]) {
            guard let point = devices[ref.device]?.profile.point(named: ref.point) else { return nil }
            device = ref.device
            table = point.table
            address = point.address(ofElement: ref.index)
            bit = point.bit
        }

        var description: String { "\(device) \(table.rawValue) \(address)\(bit.map { " bit \($0)" } ?? "")" }
    }

    // MARK: zones, sensors, equipment, recorders

    func area(_ m: YMap) -> Area? {
        m.check(allowed: ["id", "name", "arm_at", "disarm_at"], in: "area")
        guard let id = m.required("id", in: "area")?.string("area id") else { return nil }
        let arm = m["arm_at"].flatMap { minutes($0, what: "arm_at") }.map { $0 % 1440 }
        let disarm = m["disarm_at"].flatMap { minutes($0, what: "disarm_at") }.map { $0 % 1440 }
        if (arm == nil) != (disarm == nil) {
            m.at.error("area '\(id)' needs both arm_at and disarm_at for a schedule")
        } else if let arm, arm == disarm {
            m["disarm_at"]?.error("area '\(id)': arm_at and disarm_at are the same time")
        }
        return Area(id: id, name: m["name"]?.scalarText ?? id, armAt: arm, disarmAt: disarm)
    }

    func zone(_ m: YMap, devices: [String: Device], areas: Set<String>) -> Zone? {
        m.check(allowed: ["id", "name", "type", "input", "test", "cameras", "area", "alarm_when", "priority"], in: "zone")
        let id = m.required("id", in: "zone")?.string("zone id")
        let label = "zone '\(id ?? "?")'"
        let name = m["name"]?.string("zone name") ?? id
        var type: ZoneType?
        if let t = m.required("type", in: label), let text = t.string("zone type") {
            type = ZoneType(rawValue: text)
            if type == nil {
                t.error("\(label) has unknown type '\(text)'; use one of \(ZoneType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var input: PointRef?
        if let i = m.required("input", in: label), let (ref, point) = pointRef(i, what: "\(label) input", devices: devices) {
            input = ref
            if !point.isBoolean {
                let labels = Set(point.labels?.values.map { $0 } ?? [])
                if !labels.contains("normal") || !labels.contains("alarm") {
                    i.error("\(label) input '\(ref.point)' is neither a contact (bool) nor a supervised zone state (an enum with labels normal, alarm, tamper, fault)")
                }
                if m["alarm_when"] != nil {
                    m.keyNode("alarm_when")?.error("\(label): alarm_when applies to contact (bool) inputs; a supervised zone state gives alarm, tamper and fault itself")
                }
            }
        }
        var test: PointRef?
        if let t = m["test"], let (ref, point) = pointRef(t, what: "\(label) test output", devices: devices) {
            if point.table != .coil && point.table != .holdingRegister {
                t.error("\(label) test output '\(ref.point)' is a \(point.table.rawValue); it must be a coil or holding register the daemon can write")
            } else { test = ref }
        }
        var area: String?
        if let a = m["area"], let text = a.string("area") {
            if !areas.isEmpty && !areas.contains(text) {
                a.error("\(label) is in area '\(text)', which is not defined under 'areas'")
            }
            area = text
        }
        let alarmWhen = m["alarm_when"]?.bool("alarm_when") ?? true
        let priority = m["priority"].flatMap { priorityValue($0) }
        guard let id, let type, let input else { return nil }
        return Zone(id: id, name: name ?? id, type: type, input: input, test: test,
                    cameras: m["cameras"]?.stringList("cameras") ?? [], area: area, alarmWhen: alarmWhen,
                    priority: priority ?? type.defaultPriority)
    }

    func priorityValue(_ n: YNode) -> Priority? {
        guard let text = n.string("priority") else { return nil }
        guard let p = Priority(rawValue: text) else {
            n.error("unknown priority '\(text)'; use one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return p
    }

    func sensor(_ m: YMap, devices: [String: Device]) -> Sensor? {
        m.check(allowed: ["id", "name", "input", "low", "high", "deadband", "delay_s"], in: "sensor")
        let id = m.required("id", in: "sensor")?.string("sensor id")
        let label = "sensor '\(id ?? "?")'"
        var input: PointRef?
        if let i = m.required("input", in: label), let (ref, point) = pointRef(i, what: "\(label) input", devices: devices) {
            if point.isBoolean || point.labels != nil {
                i.error("\(label) input '\(ref.point)' is not a numeric point")
            } else { input = ref }
        }
        let limit = Self.measurementLimit
        let low = m["low"]?.double("low", in: -limit...limit), high = m["high"]?.double("high", in: -limit...limit)
        if let low, let high, low >= high { m["low"]?.error("\(label): low (\(low)) must be below high (\(high))") }
        if m["low"] == nil && m["high"] == nil { m.at.error("\(label) needs 'low', 'high' or both") }
        let deadband = m["deadband"]?.double("deadband", in: 0...limit) ?? 0
        let delay = m["delay_s"]?.int("delay_s", in: 0...86400) ?? 0
        guard let id, let input else { return nil }
        return Sensor(id: id, name: m["name"]?.scalarText ?? id, input: input, low: low, high: high,
                      deadband: deadband, delay: .seconds(delay))
    }

    func equipment(_ m: YMap, devices: [String: Device]) -> Equipment? {
        m.check(allowed: ["id", "name", "input", "alarm_when", "priority"], in: "equipment")
        let id = m.required("id", in: "equipment")?.string("equipment id")
        let label = "equipment '\(id ?? "?")'"
        var input: (PointRef, PointDefinition)?
        if let i = m.required("input", in: label) { input = pointRef(i, what: "\(label) input", devices: devices) }
        var alarmWhen: AlarmValue = .bool(true)
        if let a = m["alarm_when"], let text = a.scalarText, let (_, point) = input {
            if point.isBoolean {
                if let b = a.bool("alarm_when") { alarmWhen = .bool(b) }
            } else if let labels = point.labels {
                if labels.values.contains(text) { alarmWhen = .label(text) } else if let n = Int(text), labels[n] != nil {
                    alarmWhen = .label(labels[n]!)
                } else { a.error("\(label): alarm_when '\(text)' is not one of the point's labels: \(labels.values.sorted().joined(separator: ", "))") }
            } else if let n = a.double("alarm_when", in: -Self.measurementLimit...Self.measurementLimit) { alarmWhen = .number(n) }
        } else if let (_, point) = input, !point.isBoolean, m["alarm_when"] == nil {
            m.at.error("\(label): input '\(point.name)' is not a bool; say which value is the alarm with 'alarm_when'")
        }
        let priority = m["priority"].flatMap { priorityValue($0) } ?? .medium
        guard let id, let input else { return nil }
        return Equipment(id: id, name: m["name"]?.scalarText ?? id, input: input.0, alarmWhen: alarmWhen, priority: priority)
    }

    static let minimumRetentionDays = 14
    /// The largest magnitude of a measured value, limit or alarm value: beyond any real sensor
    /// (a uint32 counter times 1000), and far inside what a Double or a duration holds.
    static let measurementLimit = 1e12

    func recorder(_ m: YMap, devices: [String: Device]) -> Recorder? {
        m.check(allowed: ["id", "name", "cameras", "retention_days", "media", "status", "storage_path", "prune", "segment_s",
                          "recording_gap_min", "min_free_percent"], in: "recorder")
        let id = m.required("id", in: "recorder")?.string("recorder id")
        let label = "recorder '\(id ?? "?")'"
        var days = Self.minimumRetentionDays
        if let d = m["retention_days"], let v = d.int("retention_days", in: 1...3650) {
            if v < Self.minimumRetentionDays {
                d.error("\(label) keeps recordings \(v) days; the site rule is at least \(Self.minimumRetentionDays) days (two weeks)")
            }
            days = v
        }
        var status: [String: PointRef] = [:]
        if let s = m["status"]?.map("status") {
            s.check(allowed: ["hdd_error", "hdd_full", "video_loss", "record_exception", "recording_stopped"], in: "\(label) status")
            for (k, v) in s.entries {
                if let key = k.scalarText, let (ref, _) = pointRef(v, what: "\(label) status \(key)", devices: devices) { status[key] = ref }
            }
        }
        let prune = m["prune"]?.bool("prune") ?? false
        if prune && m["storage_path"] == nil { m["prune"]?.error("\(label) has prune: true but no storage_path to prune") }
        guard let id else { return nil }
        let media = m["media"]?.int("media", in: 1...1000), storagePath = m["storage_path"]?.string("storage_path")
        let segment = m["segment_s"]?.int("segment_s", in: 1...86400) ?? 600
        let recordingGap = m["recording_gap_min"]?.int("recording_gap_min", in: 1...10080) ?? 15
        let minFree = m["min_free_percent"]?.double("min_free_percent", in: 0..<100) ?? 5
        return Recorder(id: id, name: m["name"]?.scalarText ?? id, cameras: m["cameras"]?.stringList("cameras") ?? [],
                        retentionDays: days, media: media, status: status, storagePath: storagePath, prune: prune,
                        segmentSeconds: segment, recordingGapMinutes: recordingGap, minFreePercent: minFree)
    }

    /// `recordings:` and `visitors:` (approvers, hold window, check interval).
    func readDuty(_ top: YMap) -> DutySettings {
        var d = DutySettings()
        if let r = top["recordings"]?.map("recordings") {
            r.check(allowed: ["approvers", "hold_before_min", "hold_after_min", "hold_days", "check_interval_s"], in: "recordings")
            d.playbackApprovers = r["approvers"]?.stringList("recordings approvers") ?? []
            d.holdBeforeSeconds = (r["hold_before_min"]?.int("hold_before_min", in: 0...1440)).map { $0 * 60 } ?? d.holdBeforeSeconds
            d.holdAfterSeconds = (r["hold_after_min"]?.int("hold_after_min", in: 0...1440)).map { $0 * 60 } ?? d.holdAfterSeconds
            d.holdDays = r["hold_days"]?.int("hold_days", in: 1...3650) ?? d.holdDays
            d.retentionCheckSeconds = r["check_interval_s"]?.int("check_interval_s", in: 1...86400) ?? d.retentionCheckSeconds
        }
        if let v = top["visitors"]?.map("visitors") {
            v.check(allowed: ["approvers"], in: "visitors")
            d.visitorApprovers = v["approvers"]?.stringList("visitors approvers") ?? []
        }
        return d
    }

    /// Two recorders may not share storage: one's pruning would delete the other's (held) footage.
    func checkStoragePaths(_ recorders: [Item<Recorder>]) {
        var seen: [(id: String, path: String)] = []
        for r in recorders {
            guard let raw = r.value.storagePath else { continue }
            let path = URL(fileURLWithPath: raw).standardizedFileURL.path
            if let other = seen.first(where: { path == $0.path || path.hasPrefix($0.path + "/") || $0.path.hasPrefix(path + "/") }) {
                r.node.error("recorder '\(r.value.id)' storage_path \(raw) overlaps recorder '\(other.id)' (\(other.path)); give each recorder its own folder")
            }
            seen.append((r.value.id, path))
        }
    }

    /// A zone's camera must be on a recorder, or an alarm could not hold its footage.
    func checkCameras(zones: [Item<Zone>], recorders: [Recorder]) {
        let known = Set(recorders.flatMap(\.cameras))
        for z in zones {
            for c in z.value.cameras where !known.contains(c) {
                z.node.error("zone '\(z.value.id)' camera '\(c)' is on no recorder; add it to a recorder's cameras so an alarm can hold its footage")
            }
        }
    }

    /// Recorder status points (HDD error, recording stopped, ...) become equipment points, unless
    /// the config already watches that point as equipment.
    func recorderEquipment(_ recorders: [Recorder], equipment: [Equipment]) -> [Equipment] {
        let watched = Set(equipment.map(\.input))
        let names = ["hdd_error": "硬盘故障 HDD error", "hdd_full": "硬盘满 HDD full", "video_loss": "视频丢失 video loss",
                     "record_exception": "录像异常 recording exception", "recording_stopped": "录像停止 recording stopped"]
        var out: [Equipment] = []
        for r in recorders {
            for key in r.status.keys.sorted() {
                guard let ref = r.status[key], !watched.contains(ref) else { continue }
                out.append(Equipment(id: "\(r.id).\(key)", name: "\(r.name) \(names[key] ?? key)", input: ref,
                                     alarmWhen: .bool(true), priority: key == "hdd_full" ? .medium : .high))
            }
        }
        return out
    }

    // MARK: shifts, people, notify

    func person(_ n: YNode, what: String) -> Person? {
        guard let m = n.map(what) else { return nil }
        m.check(allowed: ["name", "mobile", "chat_id"], in: what)
        guard let name = m.required("name", in: what)?.string("name") else { return nil }
        return Person(name: name, mobile: m["mobile"]?.string("mobile"), chatID: m["chat_id"]?.string("chat_id"))
    }

    func minutes(_ n: YNode, what: String) -> Int? {
        guard let text = n.string(what) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let mi = Int(parts[1]), (0...24).contains(h), (0...59).contains(mi),
              h * 60 + mi <= 1440
        else { n.error("\(what) '\(text)' must be a time HH:MM"); return nil }
        return h * 60 + mi  // 24:00 is 1440, the end of the day
    }

    func readShifts(_ top: YMap) -> [Shift] {
        guard let node = top["shifts"], let items = node.list("shifts") else { return [] }
        var shifts: [Shift] = []
        for item in items {
            guard let m = item.map("shift") else { continue }
            m.check(allowed: ["name", "start", "end", "leader"], in: "shift")
            let name = m.required("name", in: "shift")?.string("shift name")
            let start = m.required("start", in: "shift").flatMap { minutes($0, what: "shift start") }
            let end = m.required("end", in: "shift").flatMap { minutes($0, what: "shift end") }
            let leader = m.required("leader", in: "shift").flatMap { person($0, what: "shift leader") }
            if let name, let start, let end, let leader {
                if start % 1440 == end % 1440 && !(start == 0 && end == 1440) {
                    item.error("shift '\(name)' starts and ends at the same time")
                }
                shifts.append(Shift(name: name, start: start, end: end, leader: leader))
            }
        }
        // The shifts must cover the day exactly once: no gap (nobody on duty), no overlap (two leaders).
        if !shifts.isEmpty && shifts.count == items.count {
            var cover = [String?](repeating: nil, count: 1440)
            for s in shifts {
                var t = s.start % 1440
                let length = s.end > s.start ? s.end - s.start : s.end + 1440 - s.start
                for _ in 0..<length {
                    if let other = cover[t] {
                        node.error("shifts '\(other)' and '\(s.name)' overlap at \(String(format: "%02d:%02d", t / 60, t % 60))")
                        return shifts
                    }
                    cover[t] = s.name
                    t = (t + 1) % 1440
                }
            }
            if let gap = cover.firstIndex(where: { $0 == nil }) {
                node.error("no shift covers \(String(format: "%02d:%02d", gap / 60, gap % 60)); the shifts must cover all 24 hours")
            }
        }
        return shifts
    }

    func notifyTarget(_ m: YMap) -> NotifyTarget? {
        m.check(allowed: ["id", "format", "url", "min_priority", "secret_file", "secret_env", "group_window_s", "rate_per_minute",
                          "timeout_s", "retry_max_s", "late_after_s"], in: "notify target")
        let id = m.required("id", in: "notify target")?.string("notify id")
        let label = "notify target '\(id ?? "?")'"
        let formats = ["standard", "alertmanager", "wecom", "dingtalk", "feishu"]
        var format: String?
        if let f = m.required("format", in: label), let text = f.string("format") {
            if formats.contains(text) { format = text } else {
                f.error("\(label) has unknown format '\(text)'; use one of \(formats.joined(separator: ", "))")
            }
        }
        let url = m.required("url", in: label)?.string("url")
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            m["url"]?.error("\(label) url must start with https:// (or http:// for a local receiver)")
        } else if let url, URLComponents(string: url)?.host?.isEmpty != false || URL(string: url) == nil {
            // Redacted: a bot's key is in its URL, and this message reaches the journal on a rejected reload.
            m["url"]?.error("\(label) url '\(Redaction.url(url))' is not a valid URL (spaces must be %20; the port must be a number)")
        }
        let minPriority = m["min_priority"].flatMap { priorityValue($0) } ?? .low
        guard let id, let format, let url else { return nil }
        if ["dingtalk", "feishu"].contains(format) && m["secret_file"] == nil && m["secret_env"] == nil {
            m.at.error("\(label): \(format) bots are signed; give the signing secret with secret_file or secret_env")
        }
        if let secret = m["secret_file"] ?? m["secret_env"] {
            hostRequirements.append(HostRequirement(.secret(notifyTarget: id), at: secret.location))
        }
        return NotifyTarget(id: id, format: format, url: url, minPriority: minPriority,
                            secretFile: m["secret_file"]?.scalarText, secretEnv: m["secret_env"]?.scalarText,
                            // An hour at most: a message is never held back longer to be grouped.
                            groupWindowSeconds: m["group_window_s"]?.double("group_window_s", in: 0...3600),
                            ratePerMinute: m["rate_per_minute"]?.int("rate_per_minute", in: 0...10000),
                            timeoutSeconds: m["timeout_s"]?.int("timeout_s", in: 1...300),
                            retryMaxSeconds: m["retry_max_s"]?.int("retry_max_s", in: 1...86400),
                            lateAfterSeconds: m["late_after_s"]?.int("late_after_s", in: 1...86400))
    }
}
