import Access
import Alarms
import Foundation
import Hummingbird
import SiteConfig

/// Who is calling on the control socket, and whether they may: the Unix account SO_PEERCRED
/// reports, mapped to the site user whose `unix:` names it, checked against a typed `--user`.
/// In trust mode (no `users:`) the typed name is believed, as before users existed.
struct Callers: Sendable {
    let users: SiteUsers
    /// The caller's credentials (SO_PEERCRED; injected by in-process tests).
    let peer: @Sendable (ControlContext) async -> PeerCredentials?
    /// uid to account name (getpwuid_r; injected by tests).
    var accountName: @Sendable (UInt32) -> String = { PeerCredentials.accountName(uid: $0) }

    /// The carrier of a request: its caller's Unix account, if the kernel says.
    func carrier(_ context: ControlContext) async -> (Carrier, PeerCredentials?) {
        guard let peer = await peer(context) else { return (Carrier(), nil) }
        return (.unix(accountName(peer.uid)), peer)
    }

    /// The actor of a request, allowed `action`. `typed` is the `--user` (or `--by`) given: empty
    /// means the caller. Trust mode needs a typed name where `typedRequired` (the engine's commands).
    func actor(_ context: ControlContext, typed: String?, for action: Action, typedRequired: Bool = true) async throws -> Actor {
        let (carrier, peer) = await carrier(context)
        if users.trustMode {
            let name = typed?.trimmingCharacters(in: .whitespaces) ?? ""
            if typedRequired && name.isEmpty {
                throw CommandRefusal(.invalid, "--user NAME is required: every operator action is recorded with who did it")
            }
            return .trusted(name: name, carrier: carrier)
        }
        guard let peer, let account = carrier.unix else {
            throw Refusal(.unknownCaller, "the daemon cannot tell who is calling (no peer credentials on this connection); use the control socket")
        }
        // The caller's own rights first: a refusal then names the role needed, whatever name was typed.
        let caller = try users.caller(account: account, uid: peer.uid)
        try Actor(user: caller, carrier: carrier).may(action).check()
        return try users.actor(caller: caller, carrier: carrier, typed: typed)
    }

    /// The caller without a typed name (whoami): nil in trust mode.
    func whoami(_ context: ControlContext) async throws -> (Actor?, Carrier) {
        let (carrier, peer) = await carrier(context)
        guard !users.trustMode else { return (nil, carrier) }
        guard let peer, let account = carrier.unix else {
            throw Refusal(.unknownCaller, "the daemon cannot tell who is calling (no peer credentials on this connection)")
        }
        return (try users.actor(account: account, uid: peer.uid, typed: nil), carrier)
    }
}
