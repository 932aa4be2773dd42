import MQTT
import Synchronization

/// One connection's state as libmosquitto's thread reports it (`handle`), and the waits of the
/// uplink's tasks on it: connected, room in the window, lost, the cursor moved.
final class UplinkLink: Sendable {
    enum Phase: Sendable, Equatable {
        case connecting, connected
        case lost(String)
    }
    private struct State {
        var phase = Phase.connecting
        var window: UplinkWindow
    }
    private let state: Mutex<State>
    private let phaseChanged = UplinkSignal()
    private let room = UplinkSignal()
    private let lostSignal = UplinkSignal()
    /// The cursor moved (the saver writes it to the journal).
    let cursorMoved = UplinkSignal()

    init(capacity: Int, confirmed: Int64) {
        state = Mutex(State(window: UplinkWindow(capacity: capacity, confirmed: confirmed)))
    }

    var phase: Phase { state.withLock { $0.phase } }
    var confirmed: Int64 { state.withLock { $0.window.confirmed } }

    /// Called on libmosquitto's network thread: never blocks.
    @Sendable func handle(_ event: MQTTEvent) {
        switch event {
        case .connected:
            state.withLock { $0.phase = .connected }
            phaseChanged.signal()
        case .refused(let why): lose("the broker refused the connection: \(why)")
        case .disconnected(let why): lose(why ?? "disconnected")
        case .published(let mid):
            if state.withLock({ $0.window.confirm(mid: mid) }) { cursorMoved.signal() }
            room.signal()
        case .message: break
        }
    }

    private func lose(_ reason: String) {
        state.withLock { s in if case .lost = s.phase {} else { s.phase = .lost(reason) } }
        phaseChanged.signal()
        room.signal()
        lostSignal.signal()
    }

    /// Returns once the broker accepted the connection; throws when it refused or the link was lost.
    func connected() async throws {
        while true {
            switch phase {
            case .connected: return
            case .lost(let why): throw UplinkService.Lost(reason: why)
            case .connecting: await phaseChanged.wait()
            }
            try Task.checkCancellation()
        }
    }

    /// Returns the reason once the link is lost (or the task is cancelled).
    func lost() async -> String? {
        while !Task.isCancelled {
            if case .lost(let why) = phase { return why }
            await lostSignal.wait()
        }
        return nil
    }

    /// Returns once another event may be published; throws when the link is lost meanwhile.
    func waitForRoom() async throws {
        while true {
            let (hasRoom, p) = state.withLock { ($0.window.hasRoom, $0.phase) }
            if case .lost(let why) = p { throw UplinkService.Lost(reason: why) }
            if hasRoom { return }
            await room.wait()
            try Task.checkCancellation()
        }
    }

    /// Returns once every published event is confirmed, the link is lost, or `limit` has passed.
    func confirmedAll(within limit: Duration) async {
        let clock = ContinuousClock(), end = clock.now + limit
        while clock.now < end {
            let (inFlight, p) = state.withLock { ($0.window.count, $0.phase) }
            if inFlight == 0 || p != .connected { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func sent(seq: Int64, mids: [Int32]) {
        if state.withLock({ $0.window.sent(seq: seq, mids: mids) }) { cursorMoved.signal() }
    }

    func sentUntracked(mid: Int32) { state.withLock { $0.window.sentUntracked(mid: mid) } }
}
