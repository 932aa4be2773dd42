public import SiteConfig

extension SiteConfig {
    /// The points of a device that the site uses (zones, sensors, equipment, recorder status).
    /// Only these are polled; a device the site names nowhere is polled in full, so its
    /// communication is still supervised.
    public func polledPoints(of device: Device) -> [PointDefinition] {
        var names = Set<String>()
        for z in zones where z.input.device == device.id { names.insert(z.input.point) }
        for s in sensors where s.input.device == device.id { names.insert(s.input.point) }
        for e in equipment where e.input.device == device.id { names.insert(e.input.point) }
        for r in recorders { for ref in r.status.values where ref.device == device.id { names.insert(ref.point) } }
        let used = device.profile.points.filter { names.contains($0.name) }
        return used.isEmpty ? device.profile.points : used
    }

    /// The requests one scan makes for a device.
    public func plan(for device: Device) -> RequestPlan {
        RequestPlanner.plan(points: polledPoints(of: device), gapFill: bus(device.bus)?.gapFill ?? 8,
                            maxRegisters: device.maxRegistersPerRequest, maxBits: device.maxBitsPerRequest)
    }

    /// The same points read one request per point element, as modbus_exporter and Home Assistant do.
    public func naiveRequestCount(for device: Device) -> Int {
        polledPoints(of: device).reduce(0) { $0 + $1.count }
    }
}
