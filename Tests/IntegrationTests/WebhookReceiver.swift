import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 that records every webhook and answers with a chosen status.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: Data
        let time: Date
    }
    final class Store: Sendable {
        let received = Mutex<[Received]>([])
        let status = Mutex<[String: Int]>([:])  // path -> status; default 200
        let port = Mutex<Int>(0)
        let task = Mutex<Task<Void, any Error>?>(nil)
    }
    private let store = Store()

    var port: Int { store.port.withLock { $0 } }
    var all: [Received] { store.received.withLock { $0 } }
    func answer(_ code: Int, on path: String) { store.status.withLock { $0[path] = code } }

    init() async throws {
        let router = Router()
        let store = self.store
        router.post("/:hook") { request, context -> Response in
            let path = "/" + (context.parameters.get("hook") ?? "")
            let buffer = try await request.body.collect(upTo: 1 << 22)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let code = store.status.withLock { $0[path] ?? 200 }
            if code == 200 {
                store.received.withLock { $0.append(Received(path: path, headers: headers, body: Data(buffer.readableBytesView), time: Date())) }
            }
            return Response(status: .init(code: code), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: code == 200 ? #"{"errcode":0,"errmsg":"ok"}"# : #"{"error":"no"}"#)))
        }
        let ready = AsyncStream.makeStream(of: Void.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  store.port.withLock { $0 = channel.localAddress?.port ?? 0 }
                                  ready.continuation.yield()
                              })
        store.task.withLock { $0 = Task { try await app.run() } }
        for await _ in ready.stream { break }
    }

    func stop() { store.task.withLock { $0?.cancel() } }
}
