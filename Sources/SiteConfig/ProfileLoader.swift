import Foundation

/// Reads device profiles (devices/NAME.yaml), reporting every mistake with its location.
enum ProfileLoader {
    static let pointKeys = ["table", "address", "count", "type", "word_order", "bit", "scale", "offset", "unit",
                            "values", "writable", "description"]

    static func load(file: String, sink: DiagnosticSink) -> DeviceProfile? {
        let text: String
        do { text = try SourceText.read(file, what: "the profile file") } catch {
            for d in error.diagnostics { sink.add(SourceLocation(file: d.file, line: d.line, column: d.column), d.message) }
            return nil
        }
        guard let root = parseYAML(text: text, file: file, sink: sink), let map = root.map("a device profile")
        else { return nil }
        map.check(allowed: ["model", "source", "description", "points"], in: "the profile")
        let model = map.required("model", in: "the profile")?.string("model")
        let source = map.required("source", in: "the profile")?.string("source")
        let description = map["description"]?.string("description")
        var points: [PointDefinition] = []
        if let pointsNode = map.required("points", in: "the profile"), let pm = pointsNode.map("points") {
            if pm.entries.isEmpty { pointsNode.error("the profile has no points") }
            for (key, value) in pm.entries {
                guard let name = key.string("a point name") else { continue }
                if points.contains(where: { $0.name == name }) { key.error("point '\(name)' is defined twice") }
                if let p = point(name: name, node: value) { points.append(p) }
            }
        }
        guard let model, let source else { return nil }
        return DeviceProfile(model: model, source: source, description: description, points: points, file: file)
    }

    static func point(name: String, node: YNode) -> PointDefinition? {
        guard let m = node.map("point '\(name)'") else { return nil }
        let what = "point '\(name)'"
        m.check(allowed: pointKeys, in: what)
        var table: RegisterTable?
        if let t = m.required("table", in: what) {
            table = t.scalarText.flatMap(RegisterTable.init(rawValue:))
            if table == nil {
                t.error("\(what): unknown table '\(t.scalarText ?? "")'; use one of "
                    + RegisterTable.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        let address = m.required("address", in: what)?.int("\(what) address", in: 0...65535)
        let count = m["count"]?.int("\(what) count", in: 1...2000) ?? 1
        var type: ValueType?
        if let t = m["type"] {
            type = t.scalarText.flatMap(ValueType.init(rawValue:))
            if type == nil {
                t.error("\(what): unknown type '\(t.scalarText ?? "")'; use one of "
                    + ValueType.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        var order = WordOrder.abcd
        if let o = m["word_order"] {
            if let w = o.scalarText.flatMap({ WordOrder(rawValue: $0.uppercased()) }) { order = w } else {
                o.error("\(what): unknown word_order '\(o.scalarText ?? "")'; use ABCD, CDAB, BADC or DCBA")
            }
        }
        let bit = m["bit"]?.int("\(what) bit", in: 0...15)
        // Bounded so that a reading (raw * scale + offset) and a write ((value - offset) / scale) stay finite.
        var scale = m["scale"]?.double("\(what) scale", in: -1e6...1e6) ?? 1
        if scale == 0 {
            m["scale"]?.error("\(what) scale 0 would make every reading the offset (and a write divide by zero)")
            scale = 1
        }
        let offset = m["offset"]?.double("\(what) offset", in: -1e12...1e12) ?? 0
        let unit = m["unit"]?.string("\(what) unit")
        let writable = m["writable"]?.bool("\(what) writable") ?? false
        let description = m["description"]?.string("\(what) description")
        var labels: [Int: String]?
        if let v = m["values"], let vm = v.map("\(what) values") {
            var out: [Int: String] = [:]
            for (k, lv) in vm.entries {
                // A code is a register value: int16 or uint16, or a 32-bit one.
                if let code = k.int("an enum value of \(what)", in: -2_147_483_648...4_294_967_295), let label = lv.string("an enum label") { out[code] = label }
            }
            labels = out
        }
        guard let table, let address else { return nil }
        let p = PointDefinition(name: name, table: table, address: address, count: count, type: type,
                                wordOrder: order, bit: bit, scale: scale, offset: offset, unit: unit,
                                labels: labels, writable: writable, description: description)
        if table.isBitTable && p.type != .bool {
            (m["type"] ?? node).error("\(what): \(table.rawValue) holds bits; its type must be bool")
        }
        if !table.isBitTable && p.type == .bool && bit == nil {
            (m["type"] ?? node).error("\(what): a register point of type bool needs 'bit: N'")
        }
        if bit != nil && (table.isBitTable || p.type.width != 1) {
            m["bit"]?.error("\(what): 'bit' applies only to a 16-bit register point")
        }
        if m["word_order"] != nil && p.type.width != 2 {
            m["word_order"]?.error("\(what): word_order applies only to 32-bit types")
        }
        if p.span > table.maxReadCount {
            (m["count"] ?? node).error("\(what) spans \(p.span) \(table.isBitTable ? "bits" : "registers"), "
                + "more than one Modbus read allows (\(table.maxReadCount))")
        } else if address + p.span > 65536 {
            (m["address"] ?? node).error("\(what) runs past the last Modbus address 65535 (address \(address) + \(p.span))")
        }
        return p
    }
}
