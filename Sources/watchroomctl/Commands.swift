import Alarms
import ArgumentParser
import Control
import Foundation
import Records
import SiteConfig

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One line of summary, then what must not be forgotten: shelved, out of service, visitors awaiting approval, comm-lost.")
    @ParentCommand var ctl: Watchroomctl
    func run() throws {
        try guarded {
            let (s, raw) = try ctl.get("/v1/status", as: StatusReport.self)
            if ctl.json { ctl.emit(raw); return }
            say("\(s.site): \(s.summary)")
            // A self-test in progress: the operator must know which zones to walk, and until when.
            if let run = try? ctl.get("/v1/self-test", as: SelfTestRun.self).0, let lines = run.inProgressLines(time: { Format.time($0) }) {
                for l in lines { say(l) }
            }
            let states = s.alarmsByState.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            if !states.isEmpty { say("open alarms: \(states.joined(separator: ", "))") }
            if !s.zonesDisarmed.isEmpty { say("disarmed zones: \(s.zonesDisarmed.joined(separator: ", "))") }
            for z in s.outOfService {
                say("out of service: \(z.zone) \(z.name) since \(Format.time(z.since)) by \(z.by ?? "?"): \(z.reason ?? "")")
            }
            for a in s.shelved {
                say("shelved: alarm \(a.id) \(a.source.id) \(a.name) until \(Format.time(a.shelved?.until)) by \(a.shelved?.user ?? "?"): \(a.shelved?.reason ?? "")")
            }
            if let waiting = s.visitorsAwaitingApproval, !waiting.isEmpty {
                say("visitors awaiting approval: \(waiting.count)")
                for v in waiting { say("awaiting approval: " + v.line { Format.time($0) }) }
            }
            if !s.commLost.isEmpty { say("comm lost: \(s.commLost.joined(separator: ", "))") }
            if !s.chattering.isEmpty { say("chattering alarms: \(s.chattering.map(String.init).joined(separator: ", "))") }
            for b in s.buses {
                say("bus \(b.id) \(b.endpoint): \(Count.of(b.cycles, "cycle")), \(Count.of(b.requests, "request")), \(Count.of(b.failures, "failure")), \(Count.of(b.overruns, "overrun"))")
            }
            if let u = s.uplink {
                say("uplink \(u.broker): \(u.connection) since \(Format.time(u.since)), confirmed to event #\(u.lastConfirmedSeq), backlog \(u.backlog)"
                    + (u.connection == "connected" ? "" : u.lastError.map { " (\(Printable.line($0)))" } ?? ""))
            }
        }
    }
}

struct Alarms: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List alarms that are active or awaiting acknowledgement or reset, most urgent first (80 columns; --wide for all columns).")
    @ParentCommand var ctl: Watchroomctl
    @Flag(name: .long, help: "Include closed alarms (history).") var all = false
    @Option(name: .long, help: "At most this many (with --all).") var limit = 200
    @Flag(name: .long, help: "Every column (type, condition, acknowledged by, notes), wider than 80 columns.") var wide = false
    func run() throws {
        try guarded {
            guard limit > 0 else { throw Fail("--limit must be at least 1", code: 2) }
            // Open alarms oldest first (paged by id), history newest first (paged back by id).
            let (alarms, raw): ([Alarm], Data) = all
                ? try ctl.allPages(wanted: limit) { n, last in "/v1/alarms?all=true&limit=\(n)\(last.map { "&before=\($0.id)" } ?? "")" }
                : try ctl.allPages(wanted: nil) { n, last in "/v1/alarms?limit=\(n)\(last.map { "&after=\($0.id)" } ?? "")" }
            if ctl.json { ctl.emit(raw); return }
            if alarms.isEmpty { say(all ? "no alarms recorded" : "no open alarms"); return }
            // Open alarms most urgent first, then longest waiting; history newest first.
            let shown = all ? alarms : ConsoleRow.ordered(alarms)
            if wide { print(Format.table(shown)); return }
            let style = ConsoleStyle.current(noBell: true)
            // Short times need their zone said once when this host's clock reads another.
            let note = ShownTime.note().map { [$0] } ?? []
            print((note + [ConsoleRow.alarmHeader] + shown.map { ConsoleRow.alarm($0, style: style) }).joined(separator: "\n"))
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One alarm with its whole history.")
    @ParentCommand var ctl: Watchroomctl
    @Argument(help: "The alarm id.") var id: Int
    struct Detail: Decodable { let alarm: Alarm; let events: [AlarmEvent] }
    func run() throws {
        try guarded {
            let (d, raw) = try ctl.get("/v1/alarms/\(id)", as: Detail.self)
            if ctl.json { ctl.emit(raw); return }
            print(Format.table([d.alarm]))
            for n in d.alarm.notes { say("note \(Format.time(n.time)) \(n.user): \(n.text)") }
            for e in d.events { say(Format.event(e)) }
            // The detail carries the first 1000 events; a chattering alarm can have more.
            if d.events.count >= Watchroomctl.pageSize, let last = d.events.last?.seq {
                try ctl.forEachPage(wanted: nil, { n, prev in "/v1/events?alarm=\(id)&after=\(prev?.seq ?? last)&limit=\(n)" }) { (events: [AlarmEvent], _) in
                    for e in events { say(Format.event(e)) }
                }
            }
        }
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The open alarms, most urgent first, then each alarm event as it happens (Ctrl-C to stop).",
        discussion: "Colour by priority and state on a terminal (none when piped or with NO_COLOR); a bell on a new unacknowledged high or critical alarm. --json prints the daemon's event lines only.")
    @ParentCommand var ctl: Watchroomctl
    @Flag(name: .long, help: "No bell on new high and critical alarms.") var noBell = false
    func run() throws {
        try guarded {
            let client = try ctl.client()
            if !ctl.json { FileHandle.standardError.write(Data("watching \(client.socketPath) (Ctrl-C to stop)\n".utf8)) }
            var streamError: String?
            var screen = WatchScreen(style: .current(noBell: noBell))
            // The snapshot and the events after it come in one stream: nothing is missed or shown twice.
            try client.stream(ctl.json ? "/v1/watch" : "/v1/watch?snapshot=true") { line in
                // Unbuffered, so a pipe (| grep, | tee) sees each event at once.
                // The daemon ends a stream it cannot continue with one error line.
                if let ended = try? ControlJSON.decoder.decode(ErrorBody.self, from: line) {
                    streamError = ended.error
                    return false
                }
                var rows: [String] = []
                if ctl.json { rows = [String(decoding: line, as: UTF8.self)] } else if let first = try? ControlJSON.decoder.decode(WatchSnapshot.Line.self, from: line) {
                    rows = screen.start(first.snapshot)
                } else {
                    do {
                        if let row = screen.row(try ControlJSON.decoder.decode(AlarmEvent.self, from: line)) { rows = [row] }
                    } catch {
                        // A newer daemon's event this console cannot read: shown raw, never dropped.
                        rows = ["(unreadable event: \(error)) " + Printable.line(String(decoding: line, as: UTF8.self))]
                    }
                }
                if !rows.isEmpty { FileHandle.standardOutput.write(Data((rows.joined(separator: "\n") + "\n").utf8)) }
                return true
            }
            if let streamError { throw Fail("the daemon ended the watch stream: \(streamError)", code: 1) }
        }
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The journal's events after a sequence number.")
    @ParentCommand var ctl: Watchroomctl
    @Option(name: .long, help: "Only events after this sequence number.") var after: Int64 = 0
    @Option(name: .long, help: "At most this many (default: all, fetched 1000 at a time).") var limit: Int?
    func run() throws {
        try guarded {
            if let limit, limit < 1 { throw Fail("--limit must be at least 1", code: 2) }
            func path(_ n: Int, _ last: AlarmEvent?) -> String { "/v1/events?after=\(last?.seq ?? after)&limit=\(n)" }
            if ctl.json { ctl.emit(try ctl.allPages(wanted: limit, path).1); return }
            try ctl.forEachPage(wanted: limit, path) { (events: [AlarmEvent], _) in for e in events { say(Format.event(e)) } }
        }
    }
}

struct Unshelve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End an alarm's shelving now.")
    @ParentCommand var ctl: Watchroomctl
    @Argument var id: Int
    @Option(name: .long) var user = ""
    func run() throws { try guarded { try ctl.perform("/v1/alarms/\(id)/unshelve", CommandBody(user: try requireUser(user))) } }
}

struct Arm: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Arm a zone or every zone of an area.")
    @ParentCommand var ctl: Watchroomctl
    @Argument(help: "A zone or area id.") var target: String
    @Option(name: .long) var user = ""
    func run() throws { try guarded { try ctl.perform("/v1/zones/\(segment(target))/arm", CommandBody(user: try requireUser(user))) } }
}

struct Disarm: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Disarm a zone or every zone of an area.")
    @ParentCommand var ctl: Watchroomctl
    @Argument(help: "A zone or area id.") var target: String
    @Option(name: .long) var user = ""
    func run() throws { try guarded { try ctl.perform("/v1/zones/\(segment(target))/disarm", CommandBody(user: try requireUser(user))) } }
}

struct OutOfService: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "out-of-service", abstract: "Take a zone out of service for maintenance until returned.")
    @ParentCommand var ctl: Watchroomctl
    @Argument var zone: String
    @Option(name: .long) var user = ""
    @Option(name: .long) var reason = ""
    func run() throws {
        try guarded {
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw Fail("--reason is required", code: 2) }
            try ctl.perform("/v1/zones/\(segment(zone))/out-of-service", CommandBody(user: try requireUser(user), reason: reason))
        }
    }
}

struct ReturnToService: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "return-to-service", abstract: "Return a zone to service.")
    @ParentCommand var ctl: Watchroomctl
    @Argument var zone: String
    @Option(name: .long) var user = ""
    func run() throws { try guarded { try ctl.perform("/v1/zones/\(segment(zone))/return-to-service", CommandBody(user: try requireUser(user))) } }
}

struct Notifications: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The outbox: pending, delivered and dead-lettered notifications, with attempts and last error.",
        subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the outbox (newest first).")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long, help: "Only this state: pending, delivered or dead.") var state: String?
        @Option(name: .long) var limit = 100
        func run() throws {
            try guarded {
                if let state, !["pending", "delivered", "dead"].contains(state) { throw Fail("--state must be pending, delivered or dead", code: 2) }
                guard limit > 0 else { throw Fail("--limit must be at least 1", code: 2) }
                let (rows, raw): ([OutboxView], Data) = try ctl.allPages(wanted: limit) { n, last in
                    "/v1/notifications?limit=\(n)\(state.map { "&state=\(query($0))" } ?? "")\(last.map { "&before=\($0.id)" } ?? "")"
                }
                if ctl.json { ctl.emit(raw); return }
                if rows.isEmpty { say("the outbox is empty"); return }
                for r in rows {
                    var line = "\(r.id)  \(r.state)  \(r.target)  attempts \(r.attempts)  \(Format.time(r.createdAt))  \(r.title)"
                    if r.state == "delivered" { line += "  delivered \(Format.time(r.deliveredAt))" }
                    if r.state == "pending" && r.attempts > 0 { line += "  next try \(Format.time(r.nextAttemptAt))" }
                    if let e = r.lastError { line += "  last error: \(e)" }
                    say(line)
                }
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a dead-lettered notification back in line.")
        @ParentCommand var ctl: Watchroomctl
        @Argument var id: Int64
        func run() throws {
            try guarded {
                let reply = try ctl.client().request("POST", "/v1/notifications/\(id)/retry", body: Data("{}".utf8))
                try ctl.check(reply)
                if ctl.json { ctl.emit(reply.body) } else { say("notification \(id) requeued") }
            }
        }
    }
}
