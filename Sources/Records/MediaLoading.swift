public import Alarms
public import Foundation
public import SiteConfig

/// Loading a medium into a recorder's rotation, as an operator asks for it.
extension MediaRotation {
    /// The load of `medium` by `user` now, before the rotation is asked (`mayLoad`).
    public static func load(_ r: Recorder, medium: Int?, user: String?, at now: Date) throws(CommandRefusal) -> MediaLoad {
        guard let medium else { throw CommandRefusal(.invalid, "the medium number is required") }
        let user = try DutyInput.required(user, "--user")
        return MediaLoad(recorder: r.id, medium: medium, loadedAt: now, user: user)
    }

    /// `checkLoad` as an operator's refusal: a medium whose footage must still be kept is not reused.
    public static func mayLoad(_ r: Recorder, _ load: MediaLoad, loads: [MediaLoad], holds: [RetentionHold],
                               timezone: TimeZone) throws(CommandRefusal) {
        do { try checkLoad(r, medium: load.medium, loads: loads, holds: holds, now: load.loadedAt, timezone: timezone) } catch {
            throw CommandRefusal(.illegalTransition, error.description)
        }
    }
}
