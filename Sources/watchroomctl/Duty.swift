import ArgumentParser
import Control
import Foundation
import Records
import SiteConfig

extension Watchroomctl {
    /// POST a duty request and decode its answer, or fail with the daemon's message.
    func send<T: Decodable>(_ path: String, _ body: DutyBody, as: T.Type) throws -> (T, Data) {
        let reply = try client().request("POST", path, body: try ControlJSON.encoder.encode(body))
        try check(reply)
        do { return (try ControlJSON.decoder.decode(T.self, from: reply.body), reply.body) } catch {
            throw Fail("unexpected reply from the daemon: \(error)")
        }
    }
}

/// A query value, percent-encoded (see `segment`).
func query(_ s: String) -> String { segment(s) }

/// A path segment or query value with everything but RFC 3986's unreserved ASCII percent-encoded:
/// a zone id such as `perimeter/disarm?` must stay one segment, not become another command.
func segment(_ s: String) -> String {
    let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
}

// MARK: recordings

struct Recordings: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recording retention and playback approval (site rule 8).",
        subcommands: [Holds.self, RetentionStatusCommand.self, Request.self, Approve.self, View.self, Log.self])

    struct Holds: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Footage that must not be overwritten, per recorder and camera, with the reason.")
        @ParentCommand var ctl: Watchroomctl
        @Flag(name: .long, help: "Include expired holds.") var all = false
        func run() throws {
            try guarded {
                let (holds, raw) = try ctl.get("/v1/recordings/holds\(all ? "?all=true" : "")", as: [RetentionHold].self)
                if ctl.json { ctl.emit(raw); return }
                if holds.isEmpty { say("no retention holds"); return }
                for h in holds.sorted(by: { ($0.recorder, $0.camera, $0.from) < ($1.recorder, $1.camera, $1.from) }) {
                    say("hold \(h.id)  \(h.recorder)/\(h.camera)  \(Format.time(h.from)) – \(Format.time(h.to))  keep until \(Format.time(h.until))  \(h.reason)")
                }
            }
        }
    }

    struct RetentionStatusCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "The last retention check of each file-based recorder.")
        @ParentCommand var ctl: Watchroomctl
        func run() throws {
            try guarded {
                let (list, raw) = try ctl.get("/v1/recordings/status", as: [RetentionStatus].self)
                if ctl.json { ctl.emit(raw); return }
                if list.isEmpty { say("no file-based recorder checked yet (recorders need storage_path)"); return }
                for s in list {
                    say("\(s.recorder): \(s.ok ? "OK" : "PROBLEM")  rule \(s.retentionDays) days, \(s.files) files, \(RetentionCheck.size(Double(s.bytes))), oldest \(Format.time(s.oldest)), newest \(Format.time(s.newest)), checked \(Format.time(s.checkedAt))")
                    for f in s.findings { say("  \(f.ok ? "ok  " : "FAIL") \(f.text)") }
                    if s.pruned > 0 { say("  pruned \(s.pruned) files (\(RetentionCheck.size(Double(s.prunedBytes))))") }
                    if s.heldExpired > 0 { say("  \(s.heldExpired) files past the rule kept for holds") }
                }
            }
        }
    }

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask to view footage; the director approves it before anyone views it.")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long, help: "The recorder id.") var recorder: String
        @Option(name: .long, help: "The camera id.") var camera: String
        @Option(name: .long, help: "Start, site time: \"YYYY-MM-DD HH:MM\".") var from: String
        @Option(name: .long, help: "End, site time.") var to: String
        @Option(name: .long, help: "Who asks (default: you; required without users:).") var by: String?
        @Option(name: .long, help: "Why.") var reason: String
        func run() throws {
            try guarded {
                let (r, raw) = try ctl.send("/v1/recordings/requests", DutyBody(by: by, recorder: recorder, camera: camera, fromTime: from,
                                                                                 toTime: to, reason: reason), as: PlaybackRequest.self)
                if ctl.json { ctl.emit(raw); return }
                say("playback request \(r.id): \(r.recorder)/\(r.camera) \(Format.time(r.from)) – \(Format.time(r.to)) by \(r.requestedBy); awaiting approval")
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a playback request (approvers listed in the site config only).")
        @ParentCommand var ctl: Watchroomctl
        @Argument(help: "The request id.") var id: Int64
        @Option(name: .long, help: "The approver: you (a name typed must be yours; required without users:).") var by: String?
        func run() throws {
            try guarded {
                let (r, raw) = try ctl.send("/v1/recordings/requests/\(id)/approve", DutyBody(by: by), as: PlaybackRequest.self)
                if ctl.json { ctl.emit(raw); return }
                say("playback request \(r.id) approved by \(r.approvedBy ?? "?") at \(Format.time(r.approvedAt))")
            }
        }
    }

    struct View: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Log a viewing against an approved request.")
        @ParentCommand var ctl: Watchroomctl
        @Argument(help: "The request id.") var id: Int64
        @Option(name: .long, help: "Who views (default: you; required without users:).") var by: String?
        func run() throws {
            try guarded {
                let (r, raw) = try ctl.send("/v1/recordings/requests/\(id)/view", DutyBody(by: by), as: PlaybackRequest.self)
                if ctl.json { ctl.emit(raw); return }
                say("viewing of request \(r.id) logged for \(r.viewings.last?.by ?? "?") (approved by \(r.approvedBy ?? "?"))")
            }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every playback request: who asked, who approved, when, who viewed.")
        @ParentCommand var ctl: Watchroomctl
        func run() throws {
            try guarded {
                let (list, raw) = try ctl.get("/v1/recordings/requests", as: [PlaybackRequest].self)
                if ctl.json { ctl.emit(raw); return }
                if list.isEmpty { say("no playback requests"); return }
                for r in list {
                    say("request \(r.id)  \(r.recorder)/\(r.camera) \(Format.time(r.from)) – \(Format.time(r.to))  asked by \(r.requestedBy) at \(Format.time(r.requestedAt)): \(r.reason)")
                    say("  " + (r.approvedBy.map { "approved by \($0) at \(Format.time(r.approvedAt))" } ?? "NOT approved"))
                    for v in r.viewings { say("  viewed by \(v.by) at \(Format.time(v.at))") }
                }
            }
        }
    }
}

// MARK: media

struct Media: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Media rotation of recorders (16 media per recorder, historically).",
                                                    subcommands: [Load.self, MediaStatusCommand.self])

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a medium was loaded; refused while its footage is younger than the rule or held.")
        @ParentCommand var ctl: Watchroomctl
        @Argument(help: "The recorder id.") var recorder: String
        @Argument(help: "The medium number.") var medium: Int
        @Option(name: .long, help: "Who loads it (default: you).") var user = ""
        func run() throws {
            try guarded {
                let (l, raw) = try ctl.send("/v1/media/load", DutyBody(user: try requireUser(user), recorder: recorder, medium: medium), as: MediaLoad.self)
                if ctl.json { ctl.emit(raw); return }
                say("medium \(l.medium) loaded in \(l.recorder) at \(Format.time(l.loadedAt)) by \(l.user)")
            }
        }
    }

    struct MediaStatusCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Each medium's footage, keep-until date, and the rotation's compliance.")
        @ParentCommand var ctl: Watchroomctl
        func run() throws {
            try guarded {
                let (reports, raw) = try ctl.get("/v1/media", as: [MediaReport].self)
                if ctl.json { ctl.emit(raw); return }
                if reports.isEmpty { say("no recorder has a media rotation (media: N in the site config)"); return }
                for r in reports {
                    say("\(r.recorder): \(r.media) media, rule \(r.retentionDays) days, loaded: \(r.loaded.map(String.init) ?? "none"); \(r.summary)")
                    for m in r.statuses {
                        let footage = m.footageFrom.map { "\(Format.time($0)) – \(m.footageTo.map { Format.time($0) } ?? "now")" } ?? "-"
                        let keep = m.keepUntil.map { "keep until \(Format.time($0))" } ?? ""
                        say(String(format: "  %2d  %-7@  %@  %@%@", m.medium, m.state, footage, m.reusable ? "reusable " : "", keep)
                              + (m.heldBy.isEmpty ? "" : "  held: \(m.heldBy.joined(separator: "; "))"))
                    }
                }
            }
        }
    }
}

// MARK: visitors

struct VisitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "visitor", abstract: "Outsiders in the monitoring room (site rule 9).",
                                                    subcommands: [In.self, Approve.self, Out.self, List.self])

    struct In: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an outsider entering; refused without an approver.")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long) var name: String
        @Option(name: .long, help: "Their organisation.") var org: String
        @Option(name: .long) var purpose: String
        @Option(name: .customLong("approved-by"), help: "Who approved the visit.") var approvedBy: String?
        @Option(name: .long, help: "The operator registering (default: $USER).") var user: String?
        func run() throws {
            try guarded {
                let (v, raw) = try ctl.send("/v1/visitors", DutyBody(user: user ?? ctl.defaultUser(), name: name, org: org, purpose: purpose,
                                                                     approvedBy: approvedBy), as: Visitor.self)
                if ctl.json { ctl.emit(raw); return }
                say("visitor \(v.id) \(v.name) (\(v.org)) in at \(Format.time(v.inAt)), "
                    + (v.awaitingApproval ? "AWAITING APPROVAL by \(v.approvedBy) (watchroomctl visitor approve \(v.id), run by them)" : "approved by \(v.approvedBy)"))
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm, as the approver named at registration, a visit awaiting your approval.")
        @ParentCommand var ctl: Watchroomctl
        @Argument(help: "The visitor id.") var id: Int64
        func run() throws {
            try guarded {
                let (v, raw) = try ctl.send("/v1/visitors/\(id)/approve", DutyBody(), as: Visitor.self)
                if ctl.json { ctl.emit(raw); return }
                say("visitor \(v.id) \(v.name) (\(v.org)) approved by \(v.approvedBy)")
            }
        }
    }

    struct Out: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a visitor out.")
        @ParentCommand var ctl: Watchroomctl
        @Argument(help: "The visitor id.") var id: Int64
        @Option(name: .long, help: "The operator signing them out (default: $USER).") var user: String?
        func run() throws {
            try guarded {
                let (v, raw) = try ctl.send("/v1/visitors/\(id)/out", DutyBody(user: user ?? ctl.defaultUser()), as: Visitor.self)
                if ctl.json { ctl.emit(raw); return }
                say("visitor \(v.id) \(v.name) out at \(Format.time(v.outAt))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Visitors inside now (--all: the whole register).")
        @ParentCommand var ctl: Watchroomctl
        @Flag(name: .long) var all = false
        func run() throws {
            try guarded {
                let (list, raw) = try ctl.get("/v1/visitors\(all ? "?all=true" : "")", as: [Visitor].self)
                if ctl.json { ctl.emit(raw); return }
                if list.isEmpty { say(all ? "no visitors registered" : "nobody from outside is in the room"); return }
                for v in list {
                    say("visitor \(v.id)  \(v.name) (\(v.org)) \(v.purpose); \(v.awaitingApproval ? "AWAITING APPROVAL by" : "approved by") \(v.approvedBy); in \(Format.time(v.inAt)), \(v.outAt.map { "out \(Format.time($0))" } ?? "INSIDE")")
                }
            }
        }
    }
}

// MARK: repairs and the equipment log

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "repair", abstract: "Repairs requested for faults, and their closing.",
                                                    subcommands: [List.self, Close.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open repairs (--all: every repair).")
        @ParentCommand var ctl: Watchroomctl
        @Flag(name: .long) var all = false
        func run() throws {
            try guarded {
                let (list, raw) = try ctl.get("/v1/repairs\(all ? "?all=true" : "")", as: [Repair].self)
                if ctl.json { ctl.emit(raw); return }
                if list.isEmpty { say(all ? "no repairs recorded" : "no open repairs"); return }
                for r in list {
                    say("repair \(r.id)  \(Format.time(r.requestedAt))  \(r.subject): \(r.text)" + (r.closedAt.map { "  closed \(Format.time($0)) by \(r.closedBy ?? "?"): \(r.note ?? "")" } ?? "  OPEN"))
                }
            }
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a repair with what was done.")
        @ParentCommand var ctl: Watchroomctl
        @Argument(help: "The repair id.") var id: Int64
        @Option(name: .long, help: "What was repaired.") var note: String
        @Option(name: .long, help: "Who closes it (default: $USER).") var user: String?
        func run() throws {
            try guarded {
                let (r, raw) = try ctl.send("/v1/repairs/\(id)/close", DutyBody(user: user ?? ctl.defaultUser(), note: note), as: Repair.self)
                if ctl.json { ctl.emit(raw); return }
                say("repair \(r.id) \(r.subject) closed by \(r.closedBy ?? "?"): \(r.note ?? "")")
            }
        }
    }
}

struct Equipment: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The equipment operation log.", subcommands: [Log.self])

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Comm loss and recovery, equipment faults, recorder status, checks, repairs.")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long, help: "From when: a span (24h, 7d) or a site time \"YYYY-MM-DD HH:MM\" (default 24h).") var since = "24h"
        func run() throws {
            try guarded {
                let (list, raw) = try ctl.get("/v1/equipment/log?since=\(query(since))", as: [EquipmentLogEntry].self)
                if ctl.json { ctl.emit(raw); return }
                if list.isEmpty { say("nothing in the equipment log since \(since)"); return }
                for e in list { say("\(Format.time(e.time))  \(e.subject)  \(e.text)\(e.user.map { "  (\($0))" } ?? "")") }
            }
        }
    }
}

// MARK: handover

struct Handover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Shift handover: record it, or show one.",
        discussion: "watchroomctl handover --from 张三 --to 李四 [--note ...] records the handover and prints it. Unacknowledged alarms and visitors still inside are flagged at the top as items that must be handed over.",
        subcommands: [Make.self, ShowRecord.self], defaultSubcommand: Make.self)

    enum OutputFormat: String, ExpressibleByArgument { case text, markdown, json }

    static func print(_ h: HandoverRecord, raw: Data, format: OutputFormat, json: Bool) {
        if json || format == .json { Swift.print(String(decoding: raw, as: UTF8.self)); return }
        // Multi-line by design: newlines kept, every other control character escaped.
        Swift.print(Printable.block(HandoverText.render(h, markdown: format == .markdown, timezone: ShownTime.zone)), terminator: "")
    }

    struct Make: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "make", abstract: "Record the handover from one duty operator to the next.")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long, help: "Who hands over.") var from: String
        @Option(name: .long, help: "Who takes over.") var to: String
        @Option(name: .long, help: "Anything to add.") var note: String?
        @Option(name: .long, help: "text, markdown or json.") var format: OutputFormat = .text
        func run() throws {
            try guarded {
                let (h, raw) = try ctl.send("/v1/handovers", DutyBody(note: note, from: from, to: to), as: HandoverRecord.self)
                Handover.print(h, raw: raw, format: format, json: ctl.json)
            }
        }
    }

    struct ShowRecord: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the last handover, or one by id.")
        @ParentCommand var ctl: Watchroomctl
        @Flag(name: .long, help: "The last handover (the default).") var last = false
        @Argument(help: "A handover id.") var id: Int64?
        @Option(name: .long, help: "text, markdown or json.") var format: OutputFormat = .text
        func run() throws {
            try guarded {
                let (h, raw) = try ctl.get(id.map { "/v1/handovers/\($0)" } ?? "/v1/handovers/last", as: HandoverRecord.self)
                Handover.print(h, raw: raw, format: format, json: ctl.json)
            }
        }
    }
}
