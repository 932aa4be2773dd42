import Control
import Hummingbird
import HTTPTypes

/// Names the site's timezone on every reply (`Watchroom-Site-Timezone: Asia/Shanghai`), so
/// watchroomctl prints the times of the reply in site time on a host that runs in another zone,
/// with no extra request; the JSON keeps its RFC 3339 instants.
struct SiteTimezoneHeader<Context: RequestContext>: RouterMiddleware {
    let timezone: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let name = HTTPField.Name(ControlClient.siteTimezoneHeader) { response.headers[name] = timezone }
        return response
    }
}
