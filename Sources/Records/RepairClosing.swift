public import Alarms

/// A repair is closed once, by a named user, with a note of what was repaired.
extension Repair {
    /// What closing needs: the note and who closes it.
    public static func closing(note: String?, user: String?) throws(CommandRefusal) -> (note: String, user: String) {
        (try DutyInput.required(note, "--note (what was repaired)"), try DutyInput.required(user, "--user"))
    }

    /// The answer to closing repair `id`: the record, if it was open until now.
    /// `found` is the journal's answer: the record and whether it was still open, or nil.
    public static func closed(_ id: Int64, _ found: (Repair, wasOpen: Bool)?) throws(CommandRefusal) -> Repair {
        guard let (r, wasOpen) = found else { throw CommandRefusal(.notFound, "no repair \(id) (see watchroomctl repair list)") }
        guard wasOpen else { throw CommandRefusal(.illegalTransition, "repair \(id) was already closed by \(r.closedBy ?? "?")") }
        return r
    }
}
