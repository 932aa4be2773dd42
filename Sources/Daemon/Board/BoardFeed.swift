import Alarms
import Control
import Foundation
import NIOCore
import Synchronization

/// The live feed every open board shares: one subscription to the event bus; each batch of
/// committed events the bus delivers (one pipeline step's) becomes one `alarms` message, its rows
/// rendered and encoded once, and the same bytes go to every board. The status strip is read and
/// encoded once per change for all of them too. A flood of 500 alarms with 20 boards open is one
/// encoding and 20 writes, not 500 x 20 of each.
///
/// A row does not depend on who looks: the page draws the action buttons from its own session's
/// role (`data-may-act`), so one rendering serves operators and the display role alike.
///
/// The subscription lives while at least one board is open. A board that falls too far behind
/// (a stalled browser: `backlog` messages or `backlogBytes` bytes not yet written to it) has its
/// stream ended: its EventSource reconnects and starts from a fresh snapshot, rather than miss
/// updates silently or hold megabytes of batches for a laptop that went to sleep.
final class BoardFeed: Sendable {
    /// The bytes queued for one board and not yet written to it.
    final class Unwritten: Sendable {
        private let bytes = Atomic<Int>(0)
        /// Adds a queued message; the new total.
        func queued(_ n: Int) -> Int { bytes.add(n, ordering: .relaxed).newValue }
        func written(_ n: Int) { bytes.subtract(n, ordering: .relaxed) }
    }

    private struct Board {
        let stream: AsyncStream<ByteBuffer>.Continuation
        let unwritten: Unwritten
    }

    private struct State {
        var boards: [Int: Board] = [:]
        var nextID = 0
        /// Bumped whenever the subscription stops: a pump of an older one sends nothing more.
        var generation = 0
        var tasks: [Task<Void, Never>] = []
    }
    private let state = Mutex(State())
    private let bus: EventBus
    private let view: BoardView
    private let status: BoardStatusReader
    private let statusEvery: Duration
    /// Messages, and bytes, a board may have unwritten before its stream is ended.
    private let backlog: Int
    private let backlogBytes: Int

    init(bus: EventBus, view: BoardView, status: BoardStatusReader, statusEvery: Duration, backlog: Int = 4096,
         backlogBytes: Int = 8 << 20) {
        self.bus = bus
        self.view = view
        self.status = status
        self.statusEvery = statusEvery
        self.backlog = backlog
        self.backlogBytes = backlogBytes
    }

    /// A board's messages from now on. The bus is subscribed before this returns, so a snapshot
    /// read after it misses nothing (an event in between is shown twice, never lost).
    /// The writer reports each message it has written to `unwritten`.
    func join() -> (id: Int, messages: AsyncStream<ByteBuffer>, unwritten: Unwritten) {
        let (messages, stream) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingOldest(backlog))
        let board = Board(stream: stream, unwritten: Unwritten())
        let id = state.withLock { s in
            s.nextID += 1
            s.boards[s.nextID] = board
            if s.tasks.isEmpty { start(&s) }
            return s.nextID
        }
        return (id, messages, board.unwritten)
    }

    /// The board's stream closed (the browser left): the last one out stops the subscription.
    func leave(_ id: Int) {
        state.withLock { s in
            s.boards[id]?.stream.finish()
            s.boards[id] = nil
            if s.boards.isEmpty { stop(&s) }
        }
    }

    private func start(_ s: inout State) {
        let feed = bus.feed()
        let generation = s.generation, dirty = Flag()
        s.tasks = [
            Task { await pump(feed, generation: generation, dirty: dirty) },
            Task { await strip(generation: generation, dirty: dirty) },
        ]
    }

    private func stop(_ s: inout State) {
        for t in s.tasks { t.cancel() }
        s.tasks = []
        s.generation += 1
    }

    private func pump(_ feed: EventFeed, generation: Int, dirty: Flag) async {
        let events = feed.makeAsyncIterator()
        do {
            while let batch = try await events.nextBatch() {
                let rows = batch.compactMap(\.alarm).map(view.row)
                if !rows.isEmpty { send(Self.message("alarms", rows), from: generation) }
                dirty.set()
            }
        } catch {}
        // The bus finished (the daemon stops or reloads) or the catch-up failed: every stream
        // ends; browsers reconnect to a fresh snapshot.
        state.withLock { s in
            guard s.generation == generation else { return }
            for board in s.boards.values { board.stream.finish() }
            s.boards = [:]
            stop(&s)
        }
    }

    /// The strip when it may have changed, at most once per `statusEvery`; a ping after 15 quiet ones.
    private func strip(generation: Int, dirty: Flag) async {
        var quiet = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: statusEvery)
            if Task.isCancelled { return }
            if dirty.take() {
                send(Self.message("status", await status.status()), from: generation)
                quiet = 0
            } else {
                quiet += 1
                if quiet >= 15 { send(ByteBuffer(string: ": ping\n\n"), from: generation); quiet = 0 }
            }
        }
    }

    private func send(_ message: ByteBuffer, from generation: Int) {
        state.withLock { s in
            guard s.generation == generation else { return }
            var fellBehind: [Int] = []
            for (id, board) in s.boards {
                // Behind: more than `backlogBytes` still unwritten before this message (one large
                // message to a board that keeps up is fine).
                let behind = board.unwritten.queued(message.readableBytes) - message.readableBytes > backlogBytes
                if behind { board.stream.finish(); fellBehind.append(id); continue }
                if case .dropped = board.stream.yield(message) { board.stream.finish(); fellBehind.append(id) }
            }
            guard !fellBehind.isEmpty else { return }
            for id in fellBehind { s.boards[id] = nil }
            if s.boards.isEmpty { stop(&s) }
        }
    }

    /// One server-sent event: `event: NAME`, the value as one line of JSON.
    static func message(_ event: String, _ value: some Encodable) -> ByteBuffer {
        var out = ByteBuffer(string: "event: \(event)\ndata: ")
        if let data = try? ControlJSON.encoder.encode(value) { out.writeBytes(data) } else { out.writeString("null") }
        out.writeString("\n\n")
        return out
    }
}

/// A flag set by one task and taken by another.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    func take() -> Bool { value.exchange(false, ordering: .relaxed) }
}
