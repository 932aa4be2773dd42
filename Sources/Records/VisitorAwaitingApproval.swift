import Access
public import Foundation

/// A visitor inside the room who still waits for the approver named at registration to confirm
/// with their own `watchroomctl visitor approve` (site rule 9, with users:). Status and the
/// handover show each one: a visit nobody approved must not be forgotten at a shift change.
public struct VisitorAwaitingApproval: Codable, Sendable, Hashable {
    /// The visitor's id (`visitor approve ID`).
    public var visitor: Int64
    public var name: String
    public var org: String
    public var purpose: String
    /// The approver named at registration, as recorded (their name) and by login: who must confirm.
    public var approver: String
    public var approverLogin: String
    /// Who registered the visit, as recorded.
    public var registeredBy: String?
    /// Since when the visitor has been inside, unapproved.
    public var since: Date

    /// Nil for a visit approved already, or over.
    public init?(_ v: Visitor) {
        guard let login = v.awaitingApprovalBy, v.inside else { return nil }
        visitor = v.id
        name = v.name
        org = v.org
        purpose = v.purpose
        approver = v.approvedBy
        approverLogin = login
        registeredBy = v.registrar?.recordedName ?? v.registeredBy
        since = v.inAt
    }

    /// The visitors among `visitors` that wait for their approver, in id order.
    public static func waiting(_ visitors: [Visitor]) -> [VisitorAwaitingApproval] {
        visitors.compactMap(VisitorAwaitingApproval.init).sorted { $0.visitor < $1.visitor }
    }

    /// "visitor 3 王工 (消防公司), inside since 15:20, waits for 赵主任 (zhao): `watchroomctl visitor approve 3`, run by them".
    public func line(time: (Date) -> String) -> String {
        "visitor \(visitor) \(name) (\(org)), inside since \(time(since)), waits for \(approver) (\(approverLogin)): `watchroomctl visitor approve \(visitor)`, run by them"
    }
}
