import Access
import Alarms
import Control
import Foundation
import Hummingbird
import Journal
import NIOCore
import SiteConfig

/// Turns every error that reaches the router into the documented `{error, code}` body: unknown
/// routes, Hummingbird's own HTTP errors (a body over the size cap), undecodable requests and any
/// failure a handler throws. Clients (watchroomctl, scripts) then read one shape, never an empty
/// 500 or Hummingbird's `{"error": {"message": ...}}`.
struct ErrorShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refusal as CommandRefusal {
            return ControlError.response(for: refusal)
        } catch let refusal as Refusal {
            return ControlError.response(for: refusal)
        } catch let e as HTTPError {
            let message = e.body ?? ControlError.message(for: e.status, request: request)
            return error(e.status, message, ControlError.code(for: e.status))
        } catch let e as any HTTPResponseError {
            return error(e.status, ControlError.message(for: e.status, request: request), ControlError.code(for: e.status))
        } catch is CancellationError {
            return error(.serviceUnavailable, "the daemon is stopping", "unavailable")
        } catch {
            return Swift.type(of: self).internalError(error)
        }
    }

    static func internalError(_ error: any Error) -> Response {
        Daemon.error(.internalServerError, "the daemon could not answer: \(error)", "internal")
    }
}

enum ControlError {
    /// The machine-readable code for a status (docs/CONTROL-API.md, Errors).
    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400, 422: "invalid"
        case 404, 405: "not-found"
        case 409: "illegal-transition"
        case 413: "too-large"
        case 503: "unavailable"
        case 500...: "internal"
        default: "invalid"
        }
    }

    static func message(for status: HTTPResponse.Status, request: Request) -> String {
        switch status.code {
        case 404, 405: "no such request: \(request.method) \(request.uri.path) (see docs/CONTROL-API.md)"
        case 413: "the request body is over the control API's 1 MiB limit"
        default: "\(status.code) \(status.reasonPhrase)"
        }
    }

    /// A refusal as its HTTP status: 404 not found, 409 not in this state, 400 invalid.
    static func response(for refusal: CommandRefusal) -> Response {
        let status: HTTPResponse.Status = switch refusal.code {
        case .notFound: .notFound
        case .illegalTransition: .conflict
        case .invalid: .badRequest
        }
        return error(status, refusal.message, refusal.code.rawValue)
    }

    /// A user refused (a role lacking, a name not theirs, an account that is no user) as 403; a
    /// name typed for nobody as 400. The code says which (docs/CONTROL-API.md, Errors).
    static func response(for refusal: Refusal) -> Response {
        error(refusal.kind == .invalid ? .badRequest : .forbidden, refusal.message, refusal.kind.rawValue)
    }

    /// A command's or duty record's failure as its answer: a refusal as above, a journal that
    /// cannot be written as 503 `journal-unavailable` (nothing was done); nil for any other error.
    static func response(for failure: any Error, journalPath: String) -> Response? {
        if let refusal = failure as? CommandRefusal { return response(for: refusal) }
        if let refusal = failure as? Refusal { return response(for: refusal) }
        guard let unwritable = JournalWriteFailure.classify(failure, journalPath: journalPath) else { return nil }
        return error(.serviceUnavailable, unwritable.description, "journal-unavailable")
    }
}

/// Paging of list results: `limit` clamped to 1...1000, cursors (`after`, `before`, `alarm`) whole numbers.
enum Page {
    static let maximum = 1000

    /// The page size: `limit` clamped to 1...1000, `default` when absent; 400 when not a number.
    static func limit(_ request: Request, default value: Int) throws -> Int {
        guard let limit: Int = try cursor(request, "limit") else { return value }
        return min(max(limit, 1), maximum)
    }

    /// A whole-number query parameter, nil when absent; 400 when it is not a number.
    static func cursor<T: FixedWidthInteger>(_ request: Request, _ name: String) throws -> T? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = T(text) else {
            throw HTTPError(.badRequest, message: "\(name) must be a whole number, not '\(Printable.line(String(text)))'")
        }
        return value
    }
}
