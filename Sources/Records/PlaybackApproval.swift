public import Alarms
public import Foundation
public import SiteConfig

/// Playback of recordings (site rule 8): a request names a camera of a recorder, a window, who
/// asks and why; only a listed approver (the director) approves it, never the one who asked;
/// footage is viewed only once approved, and every viewing is recorded.
extension PlaybackRequest {
    /// A new request, or the refusal of what is missing or wrong in it.
    public static func asked(recorder r: Recorder, camera: String?, from: Date, to: Date, by: String?, reason: String?,
                             at now: Date) throws(CommandRefusal) -> PlaybackRequest {
        let camera = try DutyInput.required(camera, "--camera")
        guard r.cameras.contains(camera) else {
            throw CommandRefusal(.invalid, "camera '\(camera)' is not on recorder \(r.id) (cameras: \(r.cameras.joined(separator: ", ")))")
        }
        guard from < to else { throw CommandRefusal(.invalid, "--from must be before --to") }
        let by = try DutyInput.required(by, "--by (who asks)")
        let reason = try DutyInput.required(reason, "--reason")
        return PlaybackRequest(recorder: r.id, camera: camera, from: from, to: to, requestedBy: by, reason: reason, requestedAt: now)
    }

    /// Who approves, if the site lists them as a playback approver; checked before the request is looked up.
    public static func approver(_ by: String?, among approvers: [String]) throws(CommandRefusal) -> String {
        let by = try DutyInput.required(by, "--by (the approver)")
        guard approvers.contains(by) else {
            throw CommandRefusal(.invalid, approvers.isEmpty
                ? "no playback approvers are configured (recordings: {approvers: [...]} in the site config); \(by) cannot approve"
                : "\(by) may not approve playback; approvers: \(approvers.joined(separator: ", "))")
        }
        return by
    }

    /// Approves the request once, by someone other than who asked.
    public mutating func approve(by approver: String, at now: Date) throws(CommandRefusal) {
        if let earlier = approvedBy { throw CommandRefusal(.illegalTransition, "playback request \(id) was already approved by \(earlier)") }
        guard requestedBy != approver else { throw CommandRefusal(.invalid, "\(approver) asked for playback request \(id) and cannot also approve it") }
        approvedBy = approver
        approvedAt = now
    }

    /// Who views, as the viewing will record them.
    public static func viewer(_ by: String?) throws(CommandRefusal) -> String { try DutyInput.required(by, "--by (who views)") }

    /// Records a viewing, allowed only once the request is approved.
    public mutating func view(by viewer: String, at now: Date) throws(CommandRefusal) {
        guard approvedBy != nil else {
            throw CommandRefusal(.illegalTransition, "playback request \(id) is not approved yet; viewing needs the director's approval")
        }
        viewings.append(.init(by: viewer, at: now))
    }

    /// The refusal for a request id the journal does not have.
    public static func notFound(_ id: Int64) -> CommandRefusal {
        CommandRefusal(.notFound, "no playback request \(id) (see watchroomctl recordings log)")
    }
}
