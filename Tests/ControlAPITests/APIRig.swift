import Alarms
import Control
@testable import Daemon
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Journal
import Logging
import NIOCore
import Polling
import SiteConfig
import Synchronization

/// The control API's router over a real alarm service and journal (a temp SQLite file) for a site
/// of 8 24-hour zones and a perimeter zone with a test relay on one DI module, and one webhook target: no daemon, no socket, no buses.
struct APIRig {
    let dir: URL
    let config: SiteConfig
    let journal: Journal
    let alarms: AlarmService
    let writes = RecordedWrites()
    let app: Application<RouterResponder<ControlContext>>

    /// The uid the in-process "socket" reports as the caller (nil: no peer credentials).
    let caller = CallerSwitch()

    /// `users`: a `users:` section to add (YAML); `accounts`: uid to account name for the callers.
    init(_ name: String, users: String = "", accounts: [UInt32: String] = [:]) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-api-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var yaml = """
            site: {name: 测试, timezone: Asia/Shanghai}
            state_dir: \(dir.path)
            control: {socket: \(dir.path)/control.sock}
            buses:
              - {id: lan, tcp: {host: 127.0.0.1, port: 1502}, poll_interval_ms: 250, timeout_ms: 200}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
            notify:
              - {id: bot, format: standard, url: "http://127.0.0.1:9/hook", min_priority: high}
            zones:

            """
        for i in 0..<8 { yaml += "  - {id: Z\(i), name: 防区\(i), type: 24h, input: \"di-1.di[\(i)]\"}\n" }
        // A perimeter zone with a test relay: its self-test asks for a panel write.
        yaml += "  - {id: P1, name: 北围墙, type: perimeter, input: \"di-1.di[8]\", test: \"di-1.relay[0]\"}\n"
        yaml += users
        let file = dir.appendingPathComponent("site.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        config = try SiteConfigLoader(profileDirectories: [Self.root.appendingPathComponent("devices").path]).load(file: file)
        journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
        alarms = try AlarmService(config: config, journal: journal, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let duty = DutyService(config: config, journal: journal, alarms: alarms)
        var api = ControlAPI(alarms: alarms, duty: duty, buses: NoBuses(), writes: writes)
        let caller = caller
        api.peer = { _ in caller.uid.map { PeerCredentials(pid: 1, uid: $0, gid: 0) } }
        api.accountName = { accounts[$0] ?? "uid \($0)" }
        app = Application(router: api.makeRouter())
    }

    /// The package's root (for the device profiles).
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// A poll of di-1 with these inputs closed.
    func scan(closed: Set<Int>) -> PollEvent {
        let t = Date()
        return .scan(DeviceScan(device: "di-1", bus: "lan", time: t,
                                values: ["di": PointValue(readings: (0..<16).map { .bool(closed.contains($0)) }, quality: .good, time: t)],
                                requests: 1))
    }

    /// Raises one alarm per input in `inputs`, in order (a normal scan first, so each is a trip).
    func raise(_ inputs: [Int]) async {
        await alarms.ingest([scan(closed: [])])
        var closed: Set<Int> = []
        for i in inputs {
            closed.insert(i)
            await alarms.ingest([scan(closed: closed)])
        }
    }

    /// Runs `body` against the router in process (HummingbirdTesting's router framework).
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await app.test(.router, body)
    }
}

/// Who the next request comes from, as SO_PEERCRED would say.
final class CallerSwitch: Sendable {
    private let current = Mutex<UInt32?>(nil)
    var uid: UInt32? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

/// No point sources: the status lists no buses.
struct NoBuses: BusStatsSource {
    func busStats() -> [(Bus, BusStats)] { [] }
}

/// The panel writes commands sent to the bus workers.
final class RecordedWrites: PointWriteQueue {
    private let writes = Mutex<[PointWrite]>([])
    func enqueue(_ write: PointWrite) { writes.withLock { $0.append(write) } }
    var all: [PointWrite] { writes.withLock { $0 } }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func decoded<T: Decodable>(_ type: T.Type) throws -> T { try ControlJSON.decoder.decode(T.self, from: Data(text.utf8)) }
    /// The `{error, code}` body, nil when the body is not that shape.
    var errorBody: ErrorBody? { try? decoded(ErrorBody.self) }
}

extension TestClientProtocol {
    /// A request with `body` as the API's JSON.
    func send(_ method: HTTPRequest.Method, _ uri: String, json body: some Encodable) async throws -> TestResponse {
        try await execute(uri: uri, method: method, body: ByteBuffer(bytes: try ControlJSON.encoder.encode(body)))
    }
}
