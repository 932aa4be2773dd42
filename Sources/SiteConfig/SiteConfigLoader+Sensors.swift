/// `sensors:`: analogue inputs with limits.
extension SiteConfigLoader.Reader {
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
}
