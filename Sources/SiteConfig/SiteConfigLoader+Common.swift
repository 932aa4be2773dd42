import Foundation

/// What every section reads with: lists with unique ids, point references, priorities, times of day.
extension SiteConfigLoader.Reader {
    /// A path relative to the config file's folder.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).path
    }

    /// Ids written in a list, even for entries that failed to load, so that references to
    /// them are not reported a second time as "not defined".
    func declaredIDs(_ top: YMap, _ key: String) -> Set<String> {
        guard let items = top[key]?.node.sequence else { return [] }
        return Set(items.compactMap { $0["id"]?.scalarText })
    }

    struct Item<T> { let node: YNode; let value: T }

    func readList<T>(_ top: YMap, _ key: String, required: Bool, what: String,
                     read: (YMap) -> T?) -> [Item<T>] {
        let node = required ? top.required(key, in: "the site config") : top[key]
        guard let node else { return [] }
        if node.node.isNull { return [] }
        guard let items = node.list(key) else { return [] }
        // Sized once: growing a list of 12,800 zones by doubling held both copies at the peak.
        var out: [Item<T>] = []
        out.reserveCapacity(items.count)
        var seen: [String: SourceLocation] = [:]
        seen.reserveCapacity(items.count)
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

    func priorityValue(_ n: YNode) -> Priority? {
        guard let text = n.string("priority") else { return nil }
        guard let p = Priority(rawValue: text) else {
            n.error("unknown priority '\(text)'; use one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return p
    }

    func minutes(_ n: YNode, what: String) -> Int? {
        guard let text = n.string(what) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let mi = Int(parts[1]), (0...24).contains(h), (0...59).contains(mi),
              h * 60 + mi <= 1440
        else { n.error("\(what) '\(text)' must be a time HH:MM"); return nil }
        return h * 60 + mi  // 24:00 is 1440, the end of the day
    }

    /// The largest magnitude of a measured value, limit or alarm value: beyond any real sensor
    /// (a uint32 counter times 1000), and far inside what a Double or a duration holds.
    static let measurementLimit = 1e12
}
