public import Access
public import Alarms
public import Foundation

/// An outsider enters the monitoring room only with an approver's name (site rule 9), one the
/// site lists when it lists any; leaving is recorded once.
extension Visitor {
    /// The visitor entering now, or the refusal of what is missing or not allowed.
    public static func entering(name: String?, org: String?, purpose: String?, approvedBy: String?, approvers: [String],
                                registeredBy user: String?, at now: Date) throws(CommandRefusal) -> Visitor {
        let name = try DutyInput.required(name, "--name")
        let org = try DutyInput.required(org, "--org")
        let purpose = try DutyInput.required(purpose, "--purpose")
        guard let approver = approvedBy?.trimmingCharacters(in: .whitespacesAndNewlines), !approver.isEmpty else {
            throw CommandRefusal(.invalid, "an outsider enters the monitoring room only with approval (site rule 9): --approved-by is required")
        }
        if !approvers.isEmpty && !approvers.contains(approver) {
            throw CommandRefusal(.invalid, "\(approver) may not approve a visit; approvers: \(approvers.joined(separator: ", "))")
        }
        return Visitor(name: name, org: org, purpose: purpose, approvedBy: approver, registeredBy: user, inAt: now)
    }

    /// The visit `found` (nil: no such visitor) confirmed by `actor`: only the approver named at
    /// registration confirms, as themselves (an admin may, recorded as both); the refusal names no one.
    public static func approved(_ id: Int64, _ found: Visitor?, by actor: Actor, at now: Date) throws -> Visitor {
        guard var v = found else { throw CommandRefusal(.notFound, "no visitor \(id) (see watchroomctl visitor list)") }
        guard let awaited = v.awaitingApprovalBy else {
            throw CommandRefusal(.illegalTransition, "visitor \(id) \(v.name) is approved already")
        }
        let me = actor.actingFor?.login ?? actor.login
        guard me == awaited || actor.may(.actForAnother).isAllowed else {
            throw Refusal(.forbidden, "visitor \(id) \(v.name) waits for the approver named at registration; only they (or an admin) confirm it")
        }
        v.awaitingApprovalBy = nil
        v.approver = actor
        v.approvedAt = now
        return v
    }

    /// The answer to a sign-out of visitor `id`: the record, if it was inside until now.
    /// `found` is the journal's answer: the record and whether it was still inside, or nil.
    public static func signedOut(_ id: Int64, _ found: (Visitor, wasInside: Bool)?) throws(CommandRefusal) -> Visitor {
        guard let (v, wasInside) = found else { throw CommandRefusal(.notFound, "no visitor \(id) (see watchroomctl visitor list)") }
        guard wasInside else { throw CommandRefusal(.illegalTransition, "visitor \(id) \(v.name) already left") }
        return v
    }
}
