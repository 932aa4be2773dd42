import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A receiver's answer, its body read to at most `WebhookSender.bodyLimit` bytes.
struct WebhookAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data
    /// The receiver sent more than the limit; the rest was not read.
    var truncated: Bool
}

/// Why a request got no answer, in words for the log and `last_error` (never the URL, which may hold a key).
enum SendFailure: Error, Equatable {
    /// The delivery task was cancelled (a clean stop): nothing to record.
    case cancelled
    case failed(String)
}

/// One target's HTTP client.
///
/// Its own session, because on Linux a request's timeout is not honoured, the session's is. The answer
/// is read through a delegate that stops at `bodyLimit`: `URLSession.data(for:)` buffers a body whole,
/// and a receiver answering with 1.5 GB drove the daemon to 3 GB.
final class WebhookSender: Sendable {
    /// Bots answer with a few hundred bytes of JSON; more is not an answer worth reading.
    static let bodyLimit = 64 << 10

    private let session: URLSession
    private let reader: BodyReader
    let timeout: Double

    init(timeout: Double, bodyLimit: Int = WebhookSender.bodyLimit) {
        self.timeout = timeout
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = timeout
        c.timeoutIntervalForResource = timeout
        c.httpMaximumConnectionsPerHost = 2
        reader = BodyReader(limit: bodyLimit, timeout: timeout)
        session = URLSession(configuration: c, delegate: reader, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    func send(_ request: WebhookRequest) async throws(SendFailure) -> WebhookAnswer {
        var r = URLRequest(url: request.url, timeoutInterval: timeout)
        r.httpMethod = "POST"
        for (k, v) in request.headers { r.setValue(v, forHTTPHeaderField: k) }
        r.httpBody = request.body
        if Task.isCancelled { throw .cancelled }
        let task = session.dataTask(with: r)
        let result: Result<WebhookAnswer, SendFailure> = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<WebhookAnswer, SendFailure>, Never>) in
                reader.expect(task.taskIdentifier, c)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
        return try result.get()
    }
}

/// Collects answers for the session's tasks, cutting each body at the limit.
private final class BodyReader: NSObject, URLSessionDataDelegate, Sendable {
    private struct Exchange {
        var continuation: CheckedContinuation<Result<WebhookAnswer, SendFailure>, Never>
        var response: HTTPURLResponse?
        var body = Data()
    }
    private let exchanges = Mutex<[Int: Exchange]>([:])
    private let limit: Int
    private let timeout: Double

    init(limit: Int, timeout: Double) {
        self.limit = limit
        self.timeout = timeout
    }

    func expect(_ task: Int, _ c: CheckedContinuation<Result<WebhookAnswer, SendFailure>, Never>) {
        exchanges.withLock { $0[task] = Exchange(continuation: c) }
    }

    private func finish(_ task: Int, _ result: (Exchange) -> Result<WebhookAnswer, SendFailure>) {
        guard let e = exchanges.withLock({ $0.removeValue(forKey: task) }) else { return }
        e.continuation.resume(returning: result(e))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        exchanges.withLock { $0[dataTask.taskIdentifier]?.response = response as? HTTPURLResponse }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let full = exchanges.withLock { all -> Bool in
            guard var e = all[dataTask.taskIdentifier] else { return false }
            e.body.append(data.prefix(max(0, limit - e.body.count)))
            all[dataTask.taskIdentifier] = e
            return e.body.count >= limit
        }
        guard full else { return }
        // Enough read: answer with what we have and drop the connection instead of reading the rest.
        finish(dataTask.taskIdentifier) { e in Self.answer(e, truncated: true) }
        dataTask.cancel()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        finish(task.taskIdentifier) { e in
            if let error { return .failure(Self.failure(error, timeout: timeout)) }
            return Self.answer(e, truncated: false)
        }
    }

    private static func answer(_ e: Exchange, truncated: Bool) -> Result<WebhookAnswer, SendFailure> {
        guard let http = e.response else { return .failure(.failed("no HTTP response")) }
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k)] = String(describing: v) }
        return .success(WebhookAnswer(status: http.statusCode, headers: headers, body: e.body, truncated: truncated))
    }

    /// URLSession's errors in words. Their own texts are "NSURLErrorDomain error -1001" or carry the URL
    /// (with a bot's key in it), so neither is used.
    static func failure(_ error: any Error, timeout: Double) -> SendFailure {
        guard let e = error as? URLError else { return .failed("request failed") }
        let seconds = timeout.rounded() == timeout ? String(Int(timeout)) : String(timeout)
        return switch e.code {
        case .cancelled: .cancelled
        case .timedOut: .failed("timed out after \(seconds) s")
        case .cannotConnectToHost: .failed("connection refused")
        case .cannotFindHost, .dnsLookupFailed: .failed("host not found")
        case .networkConnectionLost: .failed("connection lost before the answer")
        case .notConnectedToInternet: .failed("network unreachable")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            .failed("TLS handshake failed")
        case .badServerResponse, .cannotParseResponse: .failed("the receiver's answer is not HTTP")
        case .badURL, .unsupportedURL: .failed("invalid url")
        default: .failed("request failed (URL error \(e.code.rawValue))")
        }
    }
}
