import Modbus
import SiteConfig

/// One device's share of a bus cycle, worked out once per generation: its read requests, the
/// request and offset holding each point of its profile, and its metric handles. The poll loop
/// then stores each reply by the request's place in the plan and decodes every point from its
/// slot, with no lookups by id or by range per scan.
struct DevicePoll {
    let device: Device
    let requests: [ReadRequest]
    /// For `device.profile.points[i]`: the index in `requests` of the request covering its
    /// span, and where the span starts in that request's reply; nil when no request covers it.
    let slots: [(request: Int, offset: Int)?]
    let meter: BusMeters.DeviceMeters

    init(device: Device, plan: RequestPlan, meter: BusMeters.DeviceMeters) {
        self.device = device
        requests = plan.requests
        self.meter = meter
        slots = device.profile.points.map { point in
            let table = ModbusTable(point.table)
            guard let i = plan.requests.firstIndex(where: { $0.contains(table, point.address, point.span) }) else { return nil }
            return (i, point.address - plan.requests[i].address)
        }
    }
}
