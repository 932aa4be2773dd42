import Foundation

/// The HTTP channel: the format's request, POSTed by the target's own client, its answer read by the
/// format (a chat bot says "rate limited" inside a 200).
struct WebhookChannel<Format: WebhookFormat>: NotifyChannel {
    let format: Format
    let target: ResolvedTarget
    let sender: WebhookSender

    func render(_ entries: [OutboxEntry], now: Date) throws -> (message: WebhookRequest, taken: Int) {
        let (request, taken) = try format.encode(entries, to: target, now: now)
        return (request, taken)
    }

    func send(_ request: WebhookRequest) async throws(CancellationError) -> DeliveryOutcome {
        do {
            let answer = try await sender.send(request)
            // A cut body is not a bot's JSON: a chat format then retries it as unreadable.
            return format.classify(status: answer.status, headers: answer.headers, body: answer.body)
        } catch {
            switch error {
            case .cancelled: throw CancellationError()
            case .failed(let reason): return .retry(reason, after: nil)
            }
        }
    }
}
