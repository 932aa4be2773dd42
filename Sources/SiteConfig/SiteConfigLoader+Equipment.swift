/// `equipment:`: status inputs of the site's equipment.
extension SiteConfigLoader.Reader {
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
}
