import Access
import Alarms

extension EngineOutput {
    /// The output with every event of the action marked with who did it, so the journal keeps
    /// the user's login, name and carrier beside the name the event is recorded under.
    func stamped(by actor: Actor?) -> EngineOutput {
        guard let actor else { return self }
        var out = self
        for i in out.events.indices { out.events[i].actor = actor }
        return out
    }
}
