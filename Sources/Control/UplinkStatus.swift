public import Foundation

/// The uplink in `GET /v1/status`: its connection, its cursor and what is still to confirm.
public struct UplinkStatus: Codable, Sendable {
    /// `connecting`, `connected` or `disconnected`.
    public var connection: String
    public var broker: String
    /// The broker confirmed this event and every earlier one.
    public var lastConfirmedSeq: Int64
    /// Committed events the broker has not confirmed yet.
    public var backlog: Int64
    public var lastError: String?
    public var since: Date

    public init(connection: String, broker: String, lastConfirmedSeq: Int64, backlog: Int64, lastError: String?, since: Date) {
        self.connection = connection
        self.broker = broker
        self.lastConfirmedSeq = lastConfirmedSeq
        self.backlog = backlog
        self.lastError = lastError
        self.since = since
    }
}
