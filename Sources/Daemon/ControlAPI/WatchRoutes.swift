import Control
import Foundation
import Hummingbird
import Journal
import NIOCore
import SiteConfig

/// `GET /v1/watch`: committed events as they come, one JSON line each, until the daemon stops.
/// `?snapshot=true` starts with the open alarms as committed (one `{"snapshot": ...}` line) and
/// continues with exactly the events after it; `?after=SEQ` resumes after a seq.
struct WatchRoutes: Sendable {
    let events: EventBus
    /// Where a snapshot is read (nil: the stream has no snapshot form).
    var journal: Journal? = nil
    var config: SiteConfig? = nil

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        routes.get("watch") { request, _ in
            var after: Int64? = try Page.cursor(request, "after")
            var first: Data?
            if request.uri.queryParameters.get("snapshot") == "true", let journal {
                // One read transaction: the open alarms and the last seq agree, whatever commits meanwhile.
                let state = try await journal.reading { try $0.loadState() }
                let snapshot = WatchSnapshot(seq: state.lastSeq, alarms: state.openAlarms, names: config.map(Self.names) ?? [:])
                first = try ControlJSON.encoder.encode(WatchSnapshot.Line(snapshot: snapshot))
                after = state.lastSeq
            }
            let feed = events.feed(after: after)
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody { [first] writer in
                do {
                    if var first {
                        first.append(10)
                        try await writer.write(ByteBuffer(bytes: first))
                    }
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

    static func names(_ config: SiteConfig) -> [String: String] {
        var out: [String: String] = [:]
        for d in config.devices { if let n = d.name { out[d.id] = n } }
        for e in config.equipment { out[e.id] = e.name }
        for s in config.sensors { out[s.id] = s.name }
        for z in config.zones { out[z.id] = z.name }
        return out
    }
}
