import Access
import Hummingbird

/// With `users:`, the control socket answers site users only: an account that is no site user
/// reads nothing either (the room's alarms, the journal, the visitors are the site's business),
/// and is told its account and the key to add it under (`users[].unix`). Root is admin. Open to
/// anyone: `GET /v1/health` (is the daemon up) and `GET /v1/whoami` (who you are, or are not).
/// Trust mode (no `users:`) lets every caller through, as before users existed.
struct SiteUserGate: RouterMiddleware {
    typealias Context = ControlContext
    let callers: Callers

    static let open: Set<String> = ["/v1/health", "/v1/whoami"]

    func handle(_ request: Request, context: ControlContext, next: (Request, ControlContext) async throws -> Response) async throws -> Response {
        if callers.users.trustMode || (request.method == .get && Self.open.contains(Self.path(request))) {
            return try await next(request, context)
        }
        // Throws `unknown-caller` (403) for an account that is no site user or no credentials at all.
        _ = try await callers.whoami(context)
        return try await next(request, context)
    }

    /// The request's path without a trailing slash (`/v1/health/` is `/v1/health`).
    static func path(_ request: Request) -> String {
        let p = request.uri.path
        return p.count > 1 && p.hasSuffix("/") ? String(p.dropLast()) : p
    }
}
