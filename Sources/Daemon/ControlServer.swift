import Alarms
import Control
import Foundation
import Hummingbird
import ServiceLifecycle
import Journal
import Modbus
import Notify
import Polling
import Logging
import NIOCore
import SiteConfig
#if canImport(Glibc)
import Glibc
#endif

/// The operators' HTTP/JSON API on a Unix socket (docs/CONTROL-API.md).
struct ControlServer: Sendable {
    let socketPath: String
    let group: String?
    let alarms: AlarmService
    let monitor: Monitor
    let duty: DutyService
    let logger: Logger

    struct AlreadyRunning: Error, CustomStringConvertible {
        let path: String
        var description: String { "another watchroomd is already answering on \(path)" }
    }

    /// Removes a stale socket file, refusing when a live daemon still answers on it.
    func prepareSocket() throws {
        if FileManager.default.fileExists(atPath: socketPath) {
            if (try? ControlClient(socketPath: socketPath).request("GET", "/v1/health", timeout: 2)) != nil {
                throw AlreadyRunning(path: socketPath)
            }
            unlink(socketPath)
        }
        let dir = URL(fileURLWithPath: socketPath).deletingLastPathComponent().path
        // 0750: the operators' group needs to reach the socket (search), not to write beside it.
        try PrivateDirectory.create(dir, mode: 0o750)
    }

    /// Serves until the service group stops it: then ends the watch streams, stops accepting,
    /// lets running requests finish (the pipeline is still up, so commands are answered) and
    /// removes the socket. Hummingbird's `Application` runs right here, in the daemon's group.
    /// A server that cannot run is logged and leaves the rest of the daemon running.
    func run() async {
        do { try await serve() } catch is CancellationError {} catch {
            logger.critical("control API stopped: \(error)")
            try? await gracefulShutdown()
        }
        unlink(socketPath)
    }

    private func serve() async throws {
        try prepareSocket()
        let router = Router()
        // First: middleware applies only to the routes added after it (and to unknown routes).
        router.add(middleware: ErrorShapeMiddleware())
        routes(router)
        dutyRoutes(router)
        let path = socketPath, group = group, logger = logger
        let limits = ControlLimits.from(environment: ProcessInfo.processInfo.environment, descriptorLimit: ControlLimits.descriptorLimit())
        let connections = ControlConnections(limits: limits, logger: logger)
        let idle = TimeAmount.nanoseconds(Int64(limits.idleTimeout.components.seconds) * 1_000_000_000
            + limits.idleTimeout.components.attoseconds / 1_000_000_000)
        // Accepting past the descriptor limit (EMFILE) is backed off by NIO's accept handler, never a spin;
        // the cap keeps the daemon from getting there through this socket.
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [connections.handler()], idleTimeout: idle)),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: "watchroomd"),
            onServerRunning: { _ in
                // Operators reach the socket through its group; nobody else does.
                chmod(path, 0o660)
                if let group, let gr = getgrnam(group) { chown(path, uid_t.max, gr.pointee.gr_gid) }
                logger.notice("control API on \(path) (at most \(limits.maxConnections) connections, idle timeout \(limits.idleTimeout))")
            },
            logger: Logger(label: "control")
        )
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: { [bus = alarms.bus] in
            // A watch stream is a request that never ends by itself: the server would wait on it.
            bus.finish()
        }
    }

    // MARK: routes

    func routes(_ router: Router<BasicRequestContext>) {
        router.get("/v1/health") { _, _ in try json(["ok": true]) }
        router.get("/v1/status") { _, _ in try await json(status()) }
        router.get("/v1/alarms") { request, _ in
            let all = request.uri.queryParameters.get("all") == "true"
            if all {
                let limit = try Page.limit(request, default: 500)
                let before: Int? = try Page.cursor(request, "before")
                return try json(try await alarms.journal.reading { try $0.alarms(before: before, limit: limit) })
            }
            let limit = try Page.limit(request, default: Page.maximum)
            let after: Int = try Page.cursor(request, "after") ?? 0
            return try json(Array(await alarms.openAlarms.filter { $0.id > after }.sorted { $0.id < $1.id }.prefix(limit)))
        }
        router.get("/v1/alarms/:id") { _, context in
            guard let id = context.parameters.get("id").flatMap(Int.init) else { return error(.badRequest, "alarm id must be a number", "invalid") }
            // The first page of its events; the rest via /v1/events?alarm=ID&after=SEQ.
            let history = try await alarms.journal.reading { try $0.events(alarm: id, limit: Page.maximum) }
            if let open = await alarms.openAlarms.first(where: { $0.id == id }) {
                return try json(AlarmDetail(alarm: open, events: history))
            }
            guard let stored = try await alarms.journal.reading({ try $0.alarm(id) }) else { return error(.notFound, "no alarm \(id)", "not-found") }
            return try json(AlarmDetail(alarm: stored, events: history))
        }
        router.get("/v1/events") { request, _ in
            let after: Int64 = try Page.cursor(request, "after") ?? 0
            let alarm: Int? = try Page.cursor(request, "alarm")
            let limit = try Page.limit(request, default: Page.maximum)
            return try json(try await alarms.journal.reading { try $0.events(after: after, alarm: alarm, limit: limit) })
        }
        router.get("/v1/watch") { _, _ in
            let stream = alarms.subscribe()
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody { writer in
                for await event in stream {
                    var data = try ControlJSON.encoder.encode(event)
                    data.append(10)
                    try await writer.write(ByteBuffer(bytes: data))
                }
                try await writer.finish(nil)
            })
        }
        router.get("/v1/notifications") { request, _ in
            let state = request.uri.queryParameters.get("state").map { [String($0)] }
            let limit = try Page.limit(request, default: 200)
            let before: Int64? = try Page.cursor(request, "before")
            let rows = try await alarms.journal.reading { try $0.outbox(states: state, before: before, limit: limit) }
            return try json(rows.map { OutboxView(row: $0) })
        }
        router.post("/v1/notifications/:id/retry") { _, context in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { return error(.badRequest, "outbox id must be a number", "invalid") }
            guard let target = try await alarms.journal.requeue(id, at: Date()) else {
                return error(.notFound, "no dead-lettered notification \(id) (see watchroomctl notifications --state dead)", "not-found")
            }
            await alarms.nudgeDelivery()
            return try json(Requeued(requeued: id, target: target))
        }
        router.post("/v1/self-test") { request, _ in
            let body = try await decode(request)
            guard let user = body.user, !user.trimmingCharacters(in: .whitespaces).isEmpty else {
                return error(.badRequest, "a self-test needs the user who runs it", "invalid")
            }
            return try await respond { try await alarms.startSelfTest(zones: body.zones ?? [], user: user) }
        }
        router.get("/v1/self-test") { _, _ in
            guard let run = await alarms.selfTestRun else { return error(.notFound, "no self-test has run since the daemon started", "not-found") }
            return try json(run)
        }
        router.get("/v1/self-test/report") { request, _ in
            do { return try json(try await report(kinds: ["self-test-started", "self-test-result", "self-test-finished"], date: request.uri.queryParameters.get("date"))) } catch let e as ReportDateError {
                return error(.badRequest, "date '\(e.text)' is not YYYY-MM-DD", "invalid")
            }
        }
        router.post("/v1/check/equipment") { request, _ in
            let body = try await decode(request)
            return try await respond { try await alarms.equipmentCheck(user: body.user ?? "scheduled") }
        }
        router.get("/v1/check/equipment/report") { request, _ in
            do { return try json(try await report(kinds: ["equipment-check"], date: request.uri.queryParameters.get("date"))) } catch let e as ReportDateError {
                return error(.badRequest, "date '\(e.text)' is not YYYY-MM-DD", "invalid")
            }
        }
        for verb in ["ack", "note", "reset", "shelve", "unshelve"] {
            router.post("/v1/alarms/:id/\(verb)") { request, context in
                guard let id = context.parameters.get("id").flatMap(Int.init) else { return error(.badRequest, "alarm id must be a number", "invalid") }
                let body = try await decode(request)
                let user = body.user ?? ""
                let command: OperatorCommand
                switch verb {
                case "ack": command = .acknowledge(alarm: id, user: user)
                case "note": command = .note(alarm: id, user: user, text: body.text ?? "")
                case "reset": command = .reset(alarm: id, user: user)
                case "shelve": command = .shelve(alarm: id, user: user, reason: body.reason ?? "", duration: .seconds(body.durationSeconds ?? 0))
                default: command = .unshelve(alarm: id, user: user)
                }
                return try await run(command)
            }
        }
        for verb in ["arm", "disarm", "out-of-service", "return-to-service"] {
            router.post("/v1/zones/:target/\(verb)") { request, context in
                // The router does not decode percent-escapes; watchroomctl encodes every segment.
                guard let target = context.parameters.get("target")?.removingPercentEncoding else {
                    return error(.badRequest, "the zone or area id is not valid percent-encoding", "invalid")
                }
                let body = try await decode(request)
                let user = body.user ?? ""
                let command: OperatorCommand = switch verb {
                case "arm": .arm(target: target, user: user)
                case "disarm": .disarm(target: target, user: user)
                case "out-of-service": .outOfService(zone: target, user: user, reason: body.reason ?? "")
                default: .returnToService(zone: target, user: user)
                }
                return try await run(command)
            }
        }
    }

    struct AlarmDetail: Codable { let alarm: Alarm; let events: [AlarmEvent] }

    func run(_ command: OperatorCommand) async throws -> Response {
        try await respond { try await alarms.command(command) }
    }

    /// Events of a site-local day (today when `date` is nil), for the self-test and equipment reports.
    func report(kinds: [String], date: String?) async throws -> [AlarmEvent] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: alarms.config.timezone) ?? .gmt
        var day = calendar.startOfDay(for: Date())
        if let date {
            let f = DateFormatter()
            f.calendar = calendar
            f.timeZone = calendar.timeZone
            f.dateFormat = "yyyy-MM-dd"
            guard let d = f.date(from: date) else { throw ReportDateError(text: date) }
            day = d
        }
        let to = calendar.date(byAdding: .day, value: 1, to: day)!
        return try await alarms.journal.reading { [day] in try $0.events(kinds: kinds, from: day, to: to) }
    }

    struct ReportDateError: Error { let text: String }

    func respond(_ body: () async throws -> [AlarmEvent]) async throws -> Response {
        do {
            let events = try await body()
            for w in await alarms.takeWrites() { monitor.enqueue(w) }
            return try json(CommandResult(events: events))
        } catch let refusal as CommandRefusal {
            return refused(refusal)
        } catch {
            guard let failure = JournalWriteFailure.classify(error, journalPath: alarms.journal.path) else { throw error }
            return unavailable(failure)
        }
    }

    /// Nothing was done because the journal cannot be written: 503, and the operator is told why.
    func unavailable(_ failure: JournalWriteFailure) -> Response {
        error(.serviceUnavailable, failure.description, "journal-unavailable")
    }

    func refused(_ refusal: CommandRefusal) -> Response { ControlError.response(for: refusal) }

    func decode(_ request: Request) async throws -> CommandBody {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        if buffer.readableBytes == 0 { return CommandBody(user: nil) }
        do { return try ControlJSON.decoder.decode(CommandBody.self, from: Data(buffer.readableBytesView)) } catch {
            throw HTTPError(.badRequest, message: "the request body is not the JSON this command takes: \(error)")
        }
    }

    func status() async throws -> StatusReport {
        let open = await alarms.openAlarms
        let control = await alarms.zoneControl
        let comm = await alarms.commStates
        let config = alarms.config
        var byState: [String: Int] = [:]
        for a in open { byState[a.state.rawValue, default: 0] += 1 }
        let armed = control.values.filter(\.armed).count
        let lost = comm.filter { $0.value == .lost }.map(\.key).sorted()
        let summary = await alarms.summary()
        let buses = monitor.busStats().map { bus, s in
            StatusReport.BusStatus(id: bus.id, endpoint: bus.endpoint.description, cycles: s.cycles, requests: s.requests,
                                   failures: s.failures, overruns: s.overruns)
        }
        let oos = control.filter(\.value.outOfService).sorted { $0.key < $1.key }.map { id, c in
            StatusReport.ZoneOutOfService(zone: id, name: config.zones.first { $0.id == id }?.name ?? id, by: c.outOfServiceBy,
                                          reason: c.outOfServiceReason, since: c.outOfServiceAt)
        }
        let seq = (try? await alarms.journal.reading { try $0.lastSeq() }) ?? 0
        return StatusReport(site: config.siteName, time: Date(), summary: summary, buses: buses, zonesArmed: armed,
                            zonesDisarmed: control.filter { !$0.value.armed }.map(\.key).sorted(), outOfService: oos,
                            shelved: open.filter { $0.shelved != nil }, alarmsByState: byState, commLost: lost,
                            chattering: open.filter(\.chattering).map(\.id), journalSeq: seq)
    }
}

func json(_ value: some Encodable) throws -> Response {
    let data = try ControlJSON.encoder.encode(value)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

func error(_ status: HTTPResponse.Status, _ message: String, _ code: String) -> Response {
    let data = (try? ControlJSON.encoder.encode(ErrorBody(error: message, code: code))) ?? Data()
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

extension OutboxView {
    /// The row with its notification's title (never the target's secret).
    init(row: OutboxRow) {
        self.init(id: row.id, target: row.target, state: row.state, attempts: row.attempts, nextAttemptAt: row.nextAttemptAt,
                  lastError: row.lastError, deliveredAt: row.deliveredAt, createdAt: row.createdAt,
                  title: (try? NotifyJSON.decoder.decode(Notify.Notification.self, from: row.body))?.title ?? "(unreadable)")
    }
}

struct Requeued: Codable {
    let requeued: Int64
    let target: String
}
