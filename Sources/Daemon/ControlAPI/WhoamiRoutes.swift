import Access
import Control
import Hummingbird

/// `GET /v1/whoami`: the caller as the daemon sees them. An account that is no site user is
/// answered too (it is one of the two routes open to it): no user, no rights, and the refusal
/// every other route gives it, with the config key to add it under.
struct WhoamiRoutes: Sendable {
    let callers: Callers

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        routes.get("whoami") { _, context in
            let peer = await callers.peer(context)
            let (actor, carrier): (Actor?, Carrier)
            do {
                (actor, carrier) = try await callers.whoami(context)
            } catch let refusal as Refusal where refusal.kind == .unknownCaller {
                return try json(Whoami(trustMode: false, unix: await callers.carrier(context).0.unix, uid: peer?.uid, login: nil, name: nil,
                                       roles: [], may: [], refusal: refusal.message))
            }
            let may = actor.map { a in Action.allCases.filter { a.may($0).isAllowed }.map(\.rawValue) } ?? Action.allCases.map(\.rawValue)
            return try json(Whoami(trustMode: actor == nil, unix: carrier.unix, uid: peer?.uid, login: actor?.login, name: actor?.name,
                                   roles: actor?.roles.map(\.rawValue) ?? [], may: may))
        }
        return routes
    }
}
