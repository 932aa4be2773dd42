import Foundation
import Modbus
public import SiteConfig
import Synchronization

/// Live counters of one bus, readable from any thread (status, watchdog, benchmarks).
public struct BusStats: Sendable {
    public var cycles = 0
    public var requests = 0
    public var failures = 0
    public var overruns = 0
    /// The end of the last transaction, connect attempt or cycle: each ends by its deadline.
    public var lastProgress: ContinuousClock.Instant?
}

/// Polls every device of one bus, on a thread of its own that owns the bus's libmodbus context.
///
/// RTU buses are strictly serial with at least `frameGap` of silence between frames. A device
/// that fails costs at most one timeout per cycle (its remaining requests are skipped) and is
/// retried with capped exponential backoff once it is comm-lost, so it never stalls the rest.
public final class BusWorker: PointSource {
    public let bus: Bus
    public let devices: [Device]
    public let plans: [String: RequestPlan]
    /// The bus's link as the Modbus target takes it, and the silence between frames on it.
    private let endpoint: ModbusEndpoint
    private let frameGap: Duration
    private let sink: @Sendable (PollEvent) -> Void
    private let stopping = Atomic<Bool>(false)
    /// Set by the thread as it leaves; whoever waits in `stop()` is resumed then.
    private let exit = Mutex<(left: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let statsBox = Mutex(BusStats())
    private let hang = Atomic<Bool>(false)
    private let writes = Mutex<[OutputWrite]>([])
    /// Handles made once per generation (metrics); recording is all the poll loop does with them.
    private let meters: BusMeters
    /// Each device's requests and where its points sit in their replies, in `devices` order:
    /// the poll loop looks nothing up by id.
    private let polls: [DevicePoll]

    /// Test hook: while set the worker blocks (to prove the watchdog notices a hung worker).
    public func setHung(_ hung: Bool) { hang.store(hung, ordering: .relaxed) }

    /// `plans` gives each device's requests; a device without one reads every point of its profile.
    public init(bus: Bus, devices: [Device], plans: [String: RequestPlan] = [:], meters: BusMeters = .unrecorded,
                sink: @escaping @Sendable (PollEvent) -> Void) {
        self.bus = bus
        self.meters = meters
        // Exhaustive on purpose: a new kind of source must say here that it is not a Modbus bus.
        switch bus.source {
        case .modbus(let link):
            endpoint = ModbusEndpoint(link)
            frameGap = link.frameGap
        }
        self.devices = devices
        self.sink = sink
        var all = plans
        for d in devices where all[d.id] == nil { all[d.id] = RequestPlanner.plan(for: d, gapFill: bus.gapFill) }
        self.plans = all
        polls = devices.map { DevicePoll(device: $0, plan: all[$0.id]!, meter: meters.device($0.id)) }
    }

    public var stats: BusStats { statsBox.withLock { $0 } }

    /// Queues a write (a panel reset, a test relay); the worker makes it before its next poll,
    /// on its own thread, and reports the outcome as a `.write` event.
    public func enqueue(_ write: OutputWrite) { writes.withLock { $0.append(write) } }

    public func start() {
        let thread = Thread { [self] in
            // Foundation's Thread.name does not reach /proc on Linux; ps, top and gdb read this.
            ThreadName.set("bus-\(bus.id)")
            run()
            for w in exit.withLock({ e in e.left = true; defer { e.waiters = [] }; return e.waiters }) { w.resume() }
        }
        thread.name = "bus-\(bus.id)"
        thread.start()
    }

    /// Asks the worker to stop without waiting for it (its thread leaves within a transaction's deadline).
    public func requestStop() {
        stopping.store(true, ordering: .relaxed)
        hang.store(false, ordering: .relaxed)
    }

    /// Asks the worker to stop and waits, suspended (no thread of the pool blocked), for its thread
    /// to leave: at most one transaction's deadline plus a tick.
    public func stop() async {
        requestStop()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let gone = exit.withLock { e -> Bool in
                if e.left { return true }
                e.waiters.append(c)
                return false
            }
            if gone { c.resume() }
        }
    }

    // MARK: the worker thread

    private func run() {
        let clock = ContinuousClock()
        var client: ModbusClient?
        var link = CommSupervisor(lossAfter: 1, interval: bus.pollInterval, maxBackoff: bus.reconnectMax)
        var linkDown = false
        // One per device, in `devices` order.
        var supervisors = devices.map { _ in
            CommSupervisor(lossAfter: bus.commLossAfter, interval: bus.pollInterval, maxBackoff: bus.reconnectMax)
        }
        // Each device's last good replies and what they decoded to: a scan that reads the same
        // shares them (no decoding, and the pipeline skips it). Forgotten at any failure.
        var lastRead = [LastRead?](repeating: nil, count: devices.count)
        var lastFrameEnd: ContinuousClock.Instant?
        var next = clock.now

        while !stopping.load(ordering: .relaxed) {
            while hang.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.05) }
            let now = clock.now
            // Connect (or reconnect after a link failure) when the link's backoff allows.
            if client == nil || client?.isConnected == false, link.isDue(at: now) {
                do throws(ModbusError) {
                    let c: ModbusClient
                    if let existing = client { c = existing } else { c = try ModbusClient(endpoint: endpoint) }
                    // The timeout bounds each whole reply, so a device dribbling bytes cannot stretch it.
                    c.setResponseTimeout(bus.timeout)
                    try c.connect()
                    client = c
                    markProgress(clock)
                    _ = link.recordSuccess()
                    if linkDown { linkDown = false; sink(.link(bus: bus.id, up: true, error: nil)) }
                } catch {
                    markProgress(clock)
                    _ = link.recordFailure(at: now)
                    if !linkDown { linkDown = true; sink(.link(bus: bus.id, up: false, error: PointError(error))) }
                    for i in devices.indices where supervisors[i].isDue(at: now) {
                        let t = supervisors[i].recordFailure(at: now)
                        lastRead[i] = nil  // a failure ends the run of repeats, this one too
                        polls[i].meter.count(RequestResult(error.kind))
                        emit(devices[i], values: [:], error: error, transition: t, failures: supervisors[i].consecutiveFailures, requests: 0)
                    }
                }
            }
            if let c = client, c.isConnected {
                for w in writes.withLock({ q in defer { q.removeAll() }; return q }) {
                    let error = perform(w, with: c)
                    markProgress(clock)
                    sink(.write(w, error: error.map(PointError.init)))
                }
                for i in devices.indices where supervisors[i].isDue(at: clock.now) {
                    if stopping.load(ordering: .relaxed) { break }
                    let d = devices[i]
                    let (values, error, requests, same) = poll(polls[i], with: c, last: &lastRead[i], lastFrameEnd: &lastFrameEnd, clock: clock)
                    let t: CommSupervisor.Transition?
                    if let error {
                        t = supervisors[i].recordFailure(at: clock.now)
                        if error.kind == .connection {
                            c.close()
                            _ = link.recordFailure(at: clock.now)
                            linkDown = true
                            sink(.link(bus: bus.id, up: false, error: PointError(error)))
                        }
                    } else {
                        t = supervisors[i].recordSuccess()
                    }
                    emit(d, values: values, error: error, transition: t,
                         failures: supervisors[i].consecutiveFailures, requests: requests, sameAsLast: same && t == nil)
                    if !c.isConnected { break }
                }
            }
            next += bus.pollInterval
            let overrun = clock.now > next
            if overrun { next = clock.now }
            meters.cycled(clock.now - now, overrun: overrun)
            statsBox.withLock {
                $0.cycles += 1
                if overrun { $0.overruns += 1 }
                $0.lastProgress = clock.now
            }
            sink(.cycle(bus: bus.id, time: Date(), overrun: overrun))
            // Sleep to the next cycle in short steps so stop() is prompt.
            while !stopping.load(ordering: .relaxed), clock.now < next {
                let left = next - clock.now
                Thread.sleep(forTimeInterval: min(0.05, Double(left.components.attoseconds) / 1e18 + Double(left.components.seconds)))
            }
        }
        client?.close()
    }

    private func perform(_ w: OutputWrite, with client: ModbusClient) -> ModbusError? {
        guard let device = devices.first(where: { $0.id == w.device }),
              let point = device.profile.point(named: w.point) else {
            return ModbusError(operation: "write \(w.device).\(w.point)", errno: EINVAL, message: "no such device or point on bus \(bus.id)")
        }
        do throws(ModbusError) {
            try client.setUnit(device.unit)
            let address = point.address(ofElement: w.index)
            switch point.table {
            case .coil: try retryingBusy { () throws(ModbusError) in try client.writeCoil(address: address, value: w.value) }
            case .holdingRegister:
                try retryingBusy { () throws(ModbusError) in try client.writeRegister(address: address, value: w.value ? 1 : 0) }
            default:
                return ModbusError(operation: "write \(w.device).\(w.point)", errno: EINVAL, message: "\(point.table.rawValue) is read-only")
            }
            return nil
        } catch {
            return error
        }
    }

    /// Reads every request of the device's plan; stops at the first failure.
    private func poll(_ poll: DevicePoll, with client: ModbusClient, last: inout LastRead?, lastFrameEnd: inout ContinuousClock.Instant?,
                      clock: ContinuousClock) -> ([String: PointValue], ModbusError?, Int, Bool) {
        let device = poll.device
        // Each request's reply as it came, by the request's place in the plan. Shared with the
        // last good scan until a reply differs: a scan that reads the same allocates no list.
        var replies = last?.replies ?? [[UInt8]](repeating: [], count: poll.requests.count)
        var changed = last == nil
        var requests = 0
        var current: ReadRequest?
        var began = clock.now
        do throws(ModbusError) {
            try client.setUnit(device.unit)
            for (i, request) in poll.requests.enumerated() {
                if bus.isRTU, let end = lastFrameEnd {
                    let wait = frameGap - (clock.now - end)
                    if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18) }
                }
                current = request
                requests += 1
                began = clock.now
                let reply = try retryingBusy { () throws(ModbusError) -> [UInt8] in
                    try client.readRaw(request.table, address: request.address, count: request.count)
                }
                if reply != replies[i] {
                    replies[i] = reply
                    changed = true
                }
                // One clock read ends the request: its duration, the frame gap's start and the progress.
                let end = clock.now
                lastFrameEnd = end
                markProgress(end)
                poll.meter.record(.ok, end - began)
            }
        } catch {
            let end = clock.now
            lastFrameEnd = end
            markProgress(end)
            poll.meter.record(RequestResult(error.kind), end - began)
            // The client already discards late replies and never follows a stream from mid-frame.
            statsBox.withLock { $0.requests += requests; $0.failures += 1 }
            last = nil
            if error.kind == .configuration, let request = current {
                return ([:], Self.namingPoints(error, device, request), requests, false)
            }
            return ([:], error, requests, false)
        }
        statsBox.withLock { $0.requests += requests }
        if !changed, let previous = last { return (previous.values, nil, requests, true) }
        let values = decode(poll, replies: replies)
        last = LastRead(replies: replies, values: values)
        return (values, nil, requests, false)
    }

    /// A device's replies of its last good scan and their decoded values.
    private struct LastRead {
        let replies: [[UInt8]]
        let values: [String: PointValue]
    }

    /// Exceptions 5 (acknowledge) and 6 (busy) say the device is there but cannot answer yet:
    /// it is asked again, up to `busyRetries` times, after a short pause. Each attempt has its
    /// own deadline (the bus timeout).
    private func retryingBusy<T>(_ attempt: () throws(ModbusError) -> T) throws(ModbusError) -> T {
        var retries = 0
        while true {
            do {
                return try attempt()
            } catch where error.kind == .busy && retries < Self.busyRetries && !stopping.load(ordering: .relaxed) {
                retries += 1
                markProgress(ContinuousClock())
                let pause = max(frameGap, min(bus.timeout / 2, .milliseconds(100)))
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
            }
        }
    }

    static let busyRetries = 2

    /// A configuration fault (exception 2) names the profile points behind the rejected range,
    /// which is what the operator has to correct.
    static func namingPoints(_ error: ModbusError, _ device: Device, _ request: ReadRequest) -> ModbusError {
        let points = device.profile.points.filter {
            ModbusTable($0.table) == request.table && $0.address < request.end && $0.address + $0.span > request.address
        }.map(\.name)
        let which = points.isEmpty ? "; see" : "; points \(points.joined(separator: ", ")) of"
        let profile = "profile \(device.profile.model) (\(device.profile.file)), device \(device.id) unit \(device.unit)"
        return ModbusError(operation: error.operation, errno: error.errno, message: "\(error.message)\(which) \(profile)")
    }

    /// Every finished transaction is progress: each ends by its deadline, so a bus that stops
    /// reporting progress is hung, not slow.
    private func markProgress(_ clock: ContinuousClock) { markProgress(clock.now) }

    private func markProgress(_ now: ContinuousClock.Instant) { statsBox.withLock { $0.lastProgress = now } }

    private func decode(_ poll: DevicePoll, replies: [[UInt8]]) -> [String: PointValue] {
        let now = Date()
        let points = poll.device.profile.points
        var values: [String: PointValue] = [:]
        values.reserveCapacity(points.count)
        for (point, slot) in zip(points, poll.slots) {
            guard let slot else { continue }
            let data = replies[slot.request]
            let readings: [Reading]
            if point.table.isBitTable {
                let bits = (slot.offset..<(slot.offset + point.span)).map { ReplyData.bit(data, $0) }
                readings = PointCodec.decode(point, bits: bits[...])
            } else {
                let words = (slot.offset..<(slot.offset + point.span)).map { ReplyData.word(data, $0) }
                readings = PointCodec.decode(point, words: words[...])
            }
            values[point.name] = PointValue(readings: readings, quality: .good, time: now)
        }
        return values
    }

    private func emit(_ d: Device, values: [String: PointValue], error: ModbusError?,
                      transition: CommSupervisor.Transition?, failures: Int, requests: Int, sameAsLast: Bool = false) {
        var scan = DeviceScan(device: d.id, bus: bus.id, time: Date(), values: values, error: error.map(PointError.init),
                              transition: transition, consecutiveFailures: failures, requests: requests)
        scan.sameAsLast = sameAsLast
        sink(.scan(scan))
    }
}
