/// `buses:`: each bus's id, polling and supervision settings; its link is read by the
/// Modbus part (SiteConfigLoader+Modbus.swift).
extension SiteConfigLoader.Reader {
    func bus(_ m: YMap) -> Bus? {
        m.check(allowed: ["id", "name", "tcp", "rtu", "poll_interval_ms", "timeout_ms", "byte_timeout_ms",
                          "frame_gap_ms", "comm_loss_after", "gap_fill", "reconnect_max_ms"], in: "bus")
        let id = m.required("id", in: "bus")?.string("bus id")
        let label = "bus '\(id ?? "?")'"
        let link = modbusLink(m, label: label)
        let interval = m["poll_interval_ms"]?.int("poll_interval_ms", in: 10...3_600_000) ?? 1000
        let timeout = m["timeout_ms"]?.int("timeout_ms", in: 10...60_000) ?? 500
        let commLoss = m["comm_loss_after"]?.int("comm_loss_after", in: 1...100) ?? 3
        let gapFill = m["gap_fill"]?.int("gap_fill", in: 0...124) ?? 8
        let reconnect = m["reconnect_max_ms"]?.int("reconnect_max_ms", in: 100...3_600_000) ?? 10_000
        guard let id, let link else { return nil }
        return Bus(id: id, source: loader.overrides.busSources[id] ?? .modbus(link), pollInterval: .milliseconds(interval), timeout: .milliseconds(timeout),
                   commLossAfter: commLoss, gapFill: gapFill, reconnectMax: .milliseconds(reconnect))
    }

    /// A source given by `LoadOverrides` must replace a bus the file defines.
    func checkBusOverrides(_ top: YMap, root: YNode) {
        for id in loader.overrides.busSources.keys.sorted() where !declaredBuses.contains(id) {
            (top.keyNode("buses") ?? root).error(
                "a source is given for bus '\(id)', which the config does not define; buses: \(declaredBuses.sorted().joined(separator: ", "))")
        }
    }
}
