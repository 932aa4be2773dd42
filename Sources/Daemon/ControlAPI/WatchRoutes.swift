import Control
import Foundation
import Hummingbird
import NIOCore

/// `GET /v1/watch`: committed events as they come, one JSON line each, until the daemon stops.
struct WatchRoutes: Sendable {
    let events: EventBus

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        routes.get("watch") { _, _ in
            let feed = events.feed()
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody { writer in
                do {
                    for try await event in feed {
                        var data = try ControlJSON.encoder.encode(event)
                        data.append(10)
                        try await writer.write(ByteBuffer(bytes: data))
                    }
                } catch let unreadable as EventFeed.HistoryUnreadable {
                    // The watcher is told why its stream ends, in the API's error shape, as the last line.
                    var data = try ControlJSON.encoder.encode(ErrorBody(error: unreadable.description, code: "journal-unreadable"))
                    data.append(10)
                    try await writer.write(ByteBuffer(bytes: data))
                }
                try await writer.finish(nil)
            })
        }
        return routes
    }
}
