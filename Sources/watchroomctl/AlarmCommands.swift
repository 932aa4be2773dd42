import Alarms
import ArgumentParser
import Control
import Foundation
import SiteConfig

/// The alarm commands an operator gives in a flood: each takes alarm ids or zone, sensor or
/// device ids (their open alarms), several at once; the daemon resolves them and answers per alarm.
struct AlarmTargets: ParsableArguments {
    @Argument(help: "Alarm ids, or zone, sensor or device ids (their open alarms).") var targets: [String] = []
}

extension Watchroomctl {
    /// Sends a batch command and prints each alarm's events; refusals go to stderr, named by target.
    /// Exit 0 when all were done, 2 when one was refused as invalid (a usage error), else 1.
    func performBatch(_ verb: String, _ body: AlarmCommandBatch) throws {
        let data = try ControlJSON.encoder.encode(body)
        let reply = try client().request("POST", "/v1/commands/\(verb)", body: data)
        try check(reply)
        let outcomes: AlarmCommandOutcomes
        do { outcomes = try ControlJSON.decoder.decode(AlarmCommandOutcomes.self, from: reply.body) } catch {
            throw Fail("unexpected reply from the daemon: \(error)")
        }
        if json { emit(reply.body) }
        if !json && outcomes.results.isEmpty { say(body.allUnacknowledged == true ? "no unacknowledged alarms match" : "nothing to do") }
        let several = Set(outcomes.results.map(\.target)).count > 1 || (body.targets ?? []).count > 1
        var code: Int32 = 0
        for r in outcomes.results {
            if let e = r.error {
                let named = several || r.target != r.alarm.map(String.init) ? "\(r.target)\(r.alarm.map { " (alarm \($0))" } ?? ""): " : ""
                FileHandle.standardError.write(Data("watchroomctl: \(Printable.line(named + e))\n".utf8))
                code = max(code, r.code == "invalid" ? 2 : 1)
            } else if !json {
                for e in r.events { say(Format.event(e)) }
            }
        }
        if code != 0 { throw ExitCode(code) }
    }
}

struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge alarms: by alarm id, by zone, sensor or device id, or all unacknowledged.",
        discussion: "watchroomctl ack 12 Z01 Z02 --user 张三; watchroomctl ack --all-unacknowledged --priority low --area north --user 张三")
    @ParentCommand var ctl: Watchroomctl
    @OptionGroup var named: AlarmTargets
    @Flag(name: .long, help: "Every unacknowledged alarm (shelved ones excepted).") var allUnacknowledged = false
    @Option(name: .long, help: "With --all-unacknowledged: only this priority (critical, high, medium, low, info).") var priority: String?
    @Option(name: .long, help: "With --all-unacknowledged: only zones of this area.") var area: String?
    @Option(name: .long, help: "Who acknowledges.") var user = ""
    func run() throws {
        try guarded {
            if allUnacknowledged {
                guard named.targets.isEmpty else { throw Fail("give alarm ids or --all-unacknowledged, not both", code: 2) }
                if let priority, Priority(rawValue: priority) == nil {
                    throw Fail("--priority must be one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))", code: 2)
                }
            } else {
                guard priority == nil && area == nil else { throw Fail("--priority and --area narrow --all-unacknowledged", code: 2) }
                guard !named.targets.isEmpty else { throw Fail("name the alarms to acknowledge (alarm, zone, sensor or device ids) or give --all-unacknowledged", code: 2) }
            }
            let user = try requireUser(user)
            try ctl.performBatch("ack", allUnacknowledged
                ? AlarmCommandBatch(user: user, allUnacknowledged: true, priority: priority, area: area)
                : AlarmCommandBatch(user: user, targets: named.targets))
        }
    }
}

struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record what was found and done for alarms (required before reset).")
    @ParentCommand var ctl: Watchroomctl
    @OptionGroup var named: AlarmTargets
    @Option(name: .long) var user = ""
    @Option(name: .long, help: "The handling note.") var text = ""
    func run() throws {
        try guarded {
            guard !named.targets.isEmpty else { throw Fail("name the alarms (alarm, zone, sensor or device ids)", code: 2) }
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw Fail("--text is required: the note says what was found and done", code: 2) }
            try ctl.performBatch("note", AlarmCommandBatch(user: try requireUser(user), targets: named.targets, text: text))
        }
    }
}

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reset latched alarms (after acknowledge and a note) and re-arm their zones.")
    @ParentCommand var ctl: Watchroomctl
    @OptionGroup var named: AlarmTargets
    @Option(name: .long) var user = ""
    func run() throws {
        try guarded {
            guard !named.targets.isEmpty else { throw Fail("name the alarms (alarm, zone, sensor or device ids)", code: 2) }
            try ctl.performBatch("reset", AlarmCommandBatch(user: try requireUser(user), targets: named.targets))
        }
    }
}

struct Shelve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hide nuisance alarms for a bounded time; they come back by themselves.")
    @ParentCommand var ctl: Watchroomctl
    @OptionGroup var named: AlarmTargets
    @Option(name: .customLong("for"), help: "How long, with its unit: \(Format.durationForms).") var duration: String
    @Option(name: .long) var reason = ""
    @Option(name: .long) var user = ""
    func run() throws {
        try guarded {
            guard !named.targets.isEmpty else { throw Fail("name the alarms (alarm, zone, sensor or device ids)", code: 2) }
            guard let seconds = Format.seconds(duration) else {
                throw Fail("--for '\(duration)' is not a duration with its unit; use \(Format.durationForms)", code: 2)
            }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw Fail("--reason is required for shelving", code: 2) }
            try ctl.performBatch("shelve", AlarmCommandBatch(user: try requireUser(user), targets: named.targets, reason: reason, durationSeconds: seconds))
        }
    }
}
