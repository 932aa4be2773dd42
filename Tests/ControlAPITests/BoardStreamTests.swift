import Alarms
import Control
@testable import Daemon
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The board's live stream (`/events`) as written, one write at a time: a batch of committed
/// events is one message, the same bytes for every board.
struct BoardStreamTests {
    @Test("five alarms raised in one step reach each board as one message of five rows, the same bytes for an operator and the wall display")
    func oneMessagePerStep() async throws {
        let rig = try BoardRig("stream-batch")
        await rig.alarms.ingest([rig.scan(closed: [])])
        let (zhang, wall) = try await sessions(rig)
        let operatorBoard = StreamRecorder(), wallBoard = StreamRecorder()
        let a = await rig.routes.eventStream(zhang), b = await rig.routes.eventStream(wall)
        let readers = [Task { try await a.body.write(operatorBoard) }, Task { try await b.body.write(wallBoard) }]
        try await until { operatorBoard.writes.count >= 1 && wallBoard.writes.count >= 1 }

        await rig.alarms.ingest([rig.scan(closed: [0, 1, 2, 3, 4])])
        try await until { operatorBoard.rows >= 5 && wallBoard.rows >= 5 }
        await rig.alarms.bus.finish()
        for r in readers { try await r.value }

        let mine = operatorBoard.alarmMessages, theirs = wallBoard.alarmMessages
        #expect(mine.count == 1, "one step's five alarms came in \(mine.count) messages")
        #expect(mine == theirs, "the two boards got different bytes")
        let rows = try #require(mine.first.map(StreamRecorder.rows(in:)))
        #expect(Set(rows.map(\.source)) == ["F1", "Z1", "Z2", "Z3", "Z4"])
        // Each board's own snapshot says whether it may act; the shared rows do not.
        #expect(operatorBoard.writes.first?.contains("\"may_act\":true") == true)
        #expect(wallBoard.writes.first?.contains("\"may_act\":false") == true)
    }

    @Test("an acknowledgement after the flood is its own message, the last board to leave stops the feed, and a board opened later still gets it")
    func laterBatchesAndRejoin() async throws {
        let rig = try BoardRig("stream-rejoin")
        await rig.trip([1, 2])
        let ids = await rig.alarms.openAlarms.map(\.id)
        try #require(ids.count == 2)
        let (zhang, _) = try await sessions(rig)
        let first = StreamRecorder()
        let reader = Task { try await rig.routes.eventStream(zhang).body.write(first) }
        try await until { first.writes.count >= 1 }
        // The stream ends from the outside (the browser leaves): the writer throws, the board leaves the feed.
        first.failNextWrite()
        _ = try await rig.alarms.command(.acknowledge(alarm: ids[0], user: "张三"))
        await #expect(throws: StreamRecorder.Gone.self) { try await reader.value }

        let second = StreamRecorder()
        let again = Task { try await rig.routes.eventStream(zhang).body.write(second) }
        try await until { second.writes.count >= 1 }
        _ = try await rig.alarms.command(.acknowledge(alarm: ids[1], user: "张三"))
        try await until { second.rows >= 1 }
        await rig.alarms.bus.finish()
        try await again.value
        let rows = second.alarmMessages.flatMap(StreamRecorder.rows(in:))
        #expect(rows.map(\.id) == [ids[1]])
        #expect(rows.first?.state == "acknowledged")
    }

    @Test("a board that stops reading is ended once it is behind by more than the byte bound; one that keeps up gets every step",
          .timeLimit(.minutes(1)))
    func stalledBoardEnded() async throws {
        let rig = try BoardRig("stream-stalled")
        await rig.alarms.ingest([rig.scan(closed: [])])
        let feed = BoardFeed(bus: await rig.alarms.bus, view: BoardView(config: rig.config),
                             status: BoardStatusReader(alarms: rig.alarms, now: { Date() }), statusEvery: .seconds(3600),
                             backlogBytes: 64)
        let stalled = feed.join(), reading = feed.join()
        let got = Mutex<[String]>([])
        let reader = Task {
            for await m in reading.messages {
                got.withLock { $0.append(String(buffer: m)) }
                reading.unwritten.written(m.readableBytes)
            }
        }
        await rig.alarms.ingest([rig.scan(closed: [1, 2])])  // one message each: the stalled board's first is fine
        try await until { got.withLock { $0.count } >= 1 }
        await rig.alarms.ingest([rig.scan(closed: [1, 2, 3, 4])])  // now it is behind by its first
        try await until { got.withLock { $0.count } >= 2 }
        var stalledGot = 0
        for await _ in stalled.messages { stalledGot += 1 }  // ends: the feed finished it
        #expect(stalledGot == 1, "the stalled board kept \(stalledGot) messages")
        feed.leave(stalled.id)
        feed.leave(reading.id)
        await reader.value
        #expect(got.withLock { $0.count } == 2, "the board that keeps up missed a step")
    }

    private func sessions(_ rig: BoardRig) async throws -> (BoardSessions.Session, BoardSessions.Session) {
        let logins = try await rig.app.test(.router) { client in
            (try await client.logIn("zhang", "right-horse"), try await client.logIn("wall", "wall-pass"))
        }
        func session(_ l: BoardLogin) throws -> BoardSessions.Session {
            try #require(rig.routes.sessions.session(BoardRoutes.cookieValue(l.cookie, name: BoardRoutes.cookie), now: Date()))
        }
        return (try session(logins.0), try session(logins.1))
    }

    /// Waits for `done`, giving up after 10 s (a missing message fails the test, never hangs it).
    private func until(_ done: () -> Bool) async throws {
        for _ in 0..<1000 where !done() { try await Task.sleep(for: .milliseconds(10)) }
        try #require(done())
    }
}

/// A response body writer that keeps each write apart, as the browser's connection gets them.
final class StreamRecorder: ResponseBodyWriter, Sendable {
    struct Gone: Error {}
    private let state = Mutex<(writes: [String], fail: Bool)>(([], false))

    var writes: [String] { state.withLock { $0.writes } }
    /// The writes that carry alarm rows.
    var alarmMessages: [String] { writes.filter { $0.hasPrefix("event: alarm") } }
    var rows: Int { alarmMessages.reduce(0) { $0 + Self.rows(in: $1).count } }

    /// The next write fails, as one to a browser that went away.
    func failNextWrite() { state.withLock { $0.fail = true } }

    func write(_ buffer: ByteBuffer) async throws {
        try state.withLock {
            if $0.fail { throw Gone() }
            $0.writes.append(String(buffer: buffer))
        }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}

    /// The rows of one alarm message (`event: alarms`, a JSON array; an older `event: alarm` holds one).
    static func rows(in message: String) -> [BoardRow] {
        let lines = message.split(separator: "\n")
        guard let data = lines.first(where: { $0.hasPrefix("data: ") })?.dropFirst(6) else { return [] }
        let bytes = Data(data.utf8)
        if let rows = try? ControlJSON.decoder.decode([BoardRow].self, from: bytes) { return rows }
        return (try? ControlJSON.decoder.decode(BoardRow.self, from: bytes)).map { [$0] } ?? []
    }
}
