import TestClock
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

/// One request as the receiver saw it.
struct ReceivedRequest: Sendable {
    var index: Int
    var method: String
    var path: String
    /// The raw (percent-encoded) query string, "" when none.
    var query: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: Data
    var time: Date
    /// The status the receiver answered with.
    var status: Int = 0
    /// The arrival on the test's manual clock, when the receiver has one.
    var clockTime: Duration?

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (fails the test when it is not one).
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: body)
        return try #require(object as? [String: Any], "body is a JSON object: \(bodyText)")
    }

    /// Raw query items, values still percent-encoded.
    var rawQueryItems: [String: String] {
        var out: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            out[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return out
    }
}

/// What the receiver answers.
struct Reply: Sendable {
    var status: Int = 200
    var headers: [String: String] = [:]
    var body: String = ""
    /// How long the receiver takes before it answers (to make a client time out).
    var delay: Duration = .zero
    /// The receiver answers only once the test calls `Receiver.release()` (or stops it): a request
    /// that stays in flight for as long as the test needs, however slow the machine is.
    var held = false
    /// When > 0, the body is this many bytes streamed in 64 KiB chunks instead of `body`
    /// (a receiver that answers a webhook with a huge page).
    var streamBytes = 0

    static let ok = Reply(status: 200, body: #"{"ok":true}"#)
    static let chatOK = Reply(status: 200, body: #"{"errcode":0,"errmsg":"ok"}"#)
}

/// A real HTTP server on 127.0.0.1 (Hummingbird), recording every request and answering with `handler`.
final class Receiver: Sendable {
    typealias Handler = @Sendable (ReceivedRequest) -> Reply

    let port: Int
    private let box: Box
    private let task: Mutex<Task<Void, any Error>?>

    private init(port: Int, box: Box, task: Task<Void, any Error>?) {
        self.port = port
        self.box = box
        self.task = Mutex(task)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request so far, in arrival order.
    var requests: [ReceivedRequest] { box.recorded.withLock { $0 } }

    func requests(path: String) -> [ReceivedRequest] { requests.filter { $0.path == path } }

    /// Bytes of streamed bodies (`Reply.streamBytes`) handed to the connection so far.
    var streamedBytes: Int { box.streamed.withLock { $0 } }

    /// The next requests take this long to arrive (one entry per request, in order).
    func setLatencies(_ l: [Duration]) { box.latencies.withLock { $0 = l } }

    /// Replaces the answer; a handler must not read `requests` (it runs under the recording lock).
    func setHandler(_ h: @escaping Handler) { box.handler.withLock { $0 = h } }

    /// With a `clock`, arrivals are stamped on it and a latency advances it instead of taking real time.
    static func start(_ handler: @escaping Handler = { _ in .ok }, clock: ManualClock? = nil) async throws -> Receiver {
        let box = Box(handler: handler)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            // Network latency before the request "arrives" (a TLS handshake on a first connection, say).
            if let latency = box.nextLatency() {
                if let clock { clock.advance(by: latency) } else { try? await Task.sleep(for: latency) }
            }
            let buffer = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
            }
            var r = ReceivedRequest(index: 0, method: request.method.rawValue, path: request.uri.path,
                                    query: request.uri.query ?? "", headers: headers,
                                    body: Data(buffer.readableBytesView), time: Date(), clockTime: clock?.elapsed)
            let reply = box.respond(&r)
            if reply.delay > .zero { try? await Task.sleep(for: reply.delay) }
            if reply.held { await box.waitForRelease() }
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (k, v) in reply.headers { fields[HTTPField.Name(k)!] = v }
            if reply.streamBytes > 0 {
                let total = reply.streamBytes
                return Response(status: .init(code: reply.status), headers: fields, body: ResponseBody { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 << 10)
                    var sent = 0
                    while sent < total {
                        try await writer.write(chunk)
                        // At most ~64 MB/s, so what a client reads after it should have stopped is measurable.
                        try await Task.sleep(for: .milliseconds(1))
                        sent += chunk.readableBytes
                        box.streamed.withLock { $0 += chunk.readableBytes }
                    }
                    try await writer.finish(nil)
                })
            }
            return Response(status: .init(code: reply.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "notify-tests"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "receiver") { _ in SwiftLogNoOpLogHandler() }
        )
        let task = Task {
            // If the server cannot start, end the wait for its port.
            defer { portContinuation.finish() }
            try await app.run()
        }
        var port = 0
        for await p in ports {
            port = p
            break
        }
        guard port > 0 else {
            task.cancel()
            throw ReceiverError()
        }
        let receiver = Receiver(port: port, box: box, task: task)
        return receiver
    }

    /// Answers every held request (`Reply.held`), and any held later, at once.
    func release() { box.released.withLock { $0 = true } }

    func stop() async {
        release()
        let t = task.withLock { t -> Task<Void, any Error>? in defer { t = nil }; return t }
        guard let t else { return }
        t.cancel()
        // A kept-alive client connection must not hold the test up: give the server 10 s to go.
        _ = await finishes(within: .seconds(10)) { _ = try? await t.value }
    }

    struct ReceiverError: Error {}

    /// Holds the state the responder closure shares with the receiver.
    private final class Box: Sendable {
        let recorded = Mutex<[ReceivedRequest]>([])
        let streamed = Mutex(0)
        let latencies = Mutex<[Duration]>([])
        let released = Mutex(false)
        func waitForRelease() async {
            while !released.withLock({ $0 }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
        }
        func nextLatency() -> Duration? { latencies.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
        let handler: Mutex<Handler>
        init(handler: @escaping Handler) { self.handler = Mutex(handler) }

        func respond(_ r: inout ReceivedRequest) -> Reply {
            let h = handler.withLock { $0 }
            // Number and record under one lock, so the order of `requests` is the order of answers.
            return recorded.withLock { list -> Reply in
                r.index = list.count
                let reply = h(r)
                r.status = reply.status
                list.append(r)
                return reply
            }
        }
    }
}
