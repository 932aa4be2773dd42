/// `areas:` and `zones:`, and the rules between zones (shared inputs, cameras on a recorder).
extension SiteConfigLoader.Reader {
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
        m.check(allowed: ["id", "name", "type", "input", "test", "cameras", "area", "alarm_when", "priority", "instructions"], in: "zone")
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

    /// The same reference twice is an error (a copy-paste slip). Two points that name one input
    /// (`di[2]` and `door` at the same address), or two zones sharing a test output, are warnings:
    /// one contact would raise two alarms, and testing one zone would trip the other.
    func checkSharedInputs(_ zones: [Item<Zone>], devices: [String: Device]) {
        var refs: [PointRef: String] = [:]
        var inputs: [PhysicalPoint: String] = [:]
        var tests: [PhysicalPoint: String] = [:]
        refs.reserveCapacity(zones.count)
        inputs.reserveCapacity(zones.count)
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

    /// A zone's camera must be on a recorder, or an alarm could not hold its footage.
    func checkCameras(zones: [Item<Zone>], recorders: [Recorder]) {
        let known = Set(recorders.flatMap(\.cameras))
        for z in zones {
            for c in z.value.cameras where !known.contains(c) {
                z.node.error("zone '\(z.value.id)' camera '\(c)' is on no recorder; add it to a recorder's cameras so an alarm can hold its footage")
            }
        }
    }
}
