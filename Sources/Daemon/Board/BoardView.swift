import Alarms
import Foundation
import Notify
import SiteConfig

/// One open alarm as the board shows it: the words for its type and condition, its zone's area,
/// cameras and handling instructions, besides the API's alarm fields.
struct BoardRow: Sendable, Codable, Hashable {
    let id: Int
    let source: String
    let sourceKind: String
    let name: String
    let type: String
    let condition: String
    let area: String?
    let priority: String
    let rank: Int
    let state: String
    let active: Bool
    let raisedAt: Date
    let updatedAt: Date
    let acknowledgedBy: String?
    let cameras: [String]
    let instructions: String?
    let notes: [AlarmNote]
    let shelvedUntil: Date?
    let requiresNote: Bool
    let value: String?
    /// Whether this alarm makes the board sound (unacknowledged, not shelved, at or above `sound_min_priority`).
    let sounds: Bool
    /// Closed (normal): the page removes it.
    let closed: Bool
}

/// The status strip: buses and devices, areas, shelved and out-of-service zones, the last
/// complete self-test, the room's sensors, undelivered notifications.
struct BoardStatus: Sendable, Codable, Hashable {
    struct BusLine: Sendable, Codable, Hashable { let id: String; let devices: Int; let lost: [String] }
    struct AreaLine: Sendable, Codable, Hashable { let id: String; let name: String; let armed: Int; let disarmed: Int }
    struct SensorLine: Sendable, Codable, Hashable { let id: String; let name: String; let value: Double? }
    let site: String
    let buses: [BusLine]
    let areas: [AreaLine]
    let shelved: Int
    let outOfService: [String]
    let lastSelfTest: Date?
    let sensors: [SensorLine]
    let undelivered: Int
    let journalFault: String?
}

/// The whole board at one moment: what the page renders on (re)connect.
struct BoardSnapshot: Sendable, Codable {
    let alarms: [BoardRow]
    let status: BoardStatus
    let user: String
    let mayAct: Bool
    let soundMinPriority: String
}

/// The board's words and order, pure over the config.
struct BoardView: Sendable {
    let config: SiteConfig
    /// Area names by id (zones are looked up through the config's index): a row is made per
    /// alarm (once for all boards), thousands in a flood.
    private let areaNames: [String: String]
    var soundMin: Priority { config.board?.soundMinPriority ?? .high }

    init(config: SiteConfig) {
        self.config = config
        areaNames = Dictionary(config.areas.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// The type column's word for an alarm's category (the words are `AlarmVocabulary`'s, shared with the messages).
    static func typeWord(_ category: String) -> String { AlarmVocabulary.categoryName(category) ?? category }

    func row(_ a: Alarm) -> BoardRow {
        let zone = a.source.kind == .zone ? config.zone(id: a.source.id) : nil
        let area = zone?.area.map { id in areaNames[id] ?? id }
        let sounds = a.state == .unacknowledged && a.shelved == nil && a.priority.rank <= soundMin.rank
        return BoardRow(
            id: a.id, source: a.source.id, sourceKind: a.source.kind.rawValue, name: a.name,
            type: Self.typeWord(a.category), condition: AlarmVocabulary.conditionName(a.condition),
            area: area, priority: a.priority.rawValue, rank: a.priority.rank, state: a.state.rawValue, active: a.active,
            raisedAt: a.raisedAt, updatedAt: a.updatedAt, acknowledgedBy: a.acknowledgedBy, cameras: zone?.cameras ?? [],
            instructions: zone.map(config.instructions(for:)), notes: a.notes, shelvedUntil: a.shelved?.until,
            requiresNote: a.requiresNote, value: a.value, sounds: sounds, closed: !a.isOpen)
    }

    /// Open alarms in board order: priority (critical first), then newest activity first.
    func rows(_ alarms: [Alarm]) -> [BoardRow] {
        alarms.filter(\.isOpen).map(row).sorted(by: Self.before)
    }

    static func before(_ a: BoardRow, _ b: BoardRow) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        if a.updatedAt != b.updatedAt { return a.updatedAt > b.updatedAt }
        return a.id > b.id
    }
}
