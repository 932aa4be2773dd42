import Control
public import Foundation

/// The uplink at a glance, for status and metrics: read-only, taken at once.
public struct UplinkSnapshot: Sendable, Hashable {
    public enum Connection: String, Sendable, Hashable {
        /// Opening the connection, or waiting for the broker's CONNACK.
        case connecting
        case connected
        /// Lost or refused; retrying after a backoff.
        case disconnected
    }
    public var connection: Connection
    /// The cursor: this event and every earlier one is confirmed by the broker.
    public var lastConfirmedSeq: Int64
    /// Committed events not yet confirmed (the journal's last seq minus the cursor); nil when the journal could not be read.
    public var backlog: Int64?
    /// The broker, as `mqtt[s]://user@host:port as client-id` (no password).
    public var broker: String
    /// Why the last connection ended or failed; nil while none did.
    public var lastError: String?
    /// When `connection` last changed.
    public var since: Date
}

extension UplinkStatus {
    init(_ s: UplinkSnapshot) {
        self.init(connection: s.connection.rawValue, broker: s.broker, lastConfirmedSeq: s.lastConfirmedSeq, backlog: s.backlog ?? 0,
                  lastError: s.lastError, since: s.since)
    }
}
