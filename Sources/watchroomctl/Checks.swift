import Alarms
import ArgumentParser
import Control
import Foundation
#if canImport(Glibc)
import Glibc
#endif


struct SelfTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-test", abstract: "The nightly zone self-test: run it, or read its report.",
        subcommands: [Zones.self, Report.self])

    struct Zones: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test zones: active where a test output can open the loop, a walk test for the rest.",
            discussion: "Without --zone every perimeter and entry/exit zone is tested. Exit 1 when a zone fails.")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .customLong("zone"), help: "A zone to test (repeatable).") var zones: [String] = []
        @Option(name: .long, help: "Who runs the test (default: $USER, else the account; the timer says scheduled).") var user: String?
        @Flag(name: .long, help: "Wait for the result and print it (the walk-test window can be long).") var wait = false

        func run() throws {
            try guarded {
                let (result, raw) = try ctl.post("/v1/self-test", CommandBody(user: user ?? ctl.defaultUser(), zones: zones))
                if !wait {
                    if ctl.json { ctl.emit(raw) } else { for e in result.events { say(Format.event(e)) } }
                    return
                }
                var run: SelfTestRun
                repeat {
                    Thread.sleep(forTimeInterval: 1)
                    run = try ctl.get("/v1/self-test", as: SelfTestRun.self).0
                } while run.finishedAt == nil
                if ctl.json { ctl.emit(try ControlJSON.encoder.encode(run)) } else {
                    say("self-test run \(run.id) started \(Format.time(run.startedAt)) by \(run.startedBy): \(run.passed.count) passed, \(run.failed.count) failed")
                    for t in run.zones.values.sorted(by: { $0.zone < $1.zone }) {
                        say("\(t.zone)  \(t.phase == .passed ? "PASS" : "FAIL")  \(t.mode.rawValue)\(t.reason.map { "  \($0)" } ?? "")")
                    }
                }
                if !run.failed.isEmpty { throw ExitCode(1) }
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Self-test results of a day (site time).")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long, help: "The day, YYYY-MM-DD (default: today).") var date: String?
        func run() throws {
            try guarded {
                let (events, raw) = try ctl.get("/v1/self-test/report\(date.map { "?date=\(query($0))" } ?? "")", as: [AlarmEvent].self)
                if ctl.json { ctl.emit(raw); return }
                if events.isEmpty { say("no self-test recorded \(date.map { "on \($0)" } ?? "today")"); return }
                for e in events {
                    switch e.kind {
                    case .selfTestResult: say("\(Format.time(e.time))  \(e.zone ?? "?")  \(e.text ?? "")")
                    default: say("\(Format.time(e.time))  \(e.kind.rawValue): \(e.text ?? "")")
                    }
                }
            }
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The morning equipment check: run it, or read its report.", subcommands: [Equipment.self, Report.self])

    struct Equipment: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every device, sensor and equipment point and the clock; exit 1 when something needs repair.")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long, help: "Who runs the check (default: $USER, else the account; the timer says scheduled).") var user: String?
        @Flag(name: .long, help: "Accepted for the timer unit; the check is always synchronous.") var wait = false
        func run() throws {
            try guarded {
                let (result, raw) = try ctl.post("/v1/check/equipment", CommandBody(user: user ?? ctl.defaultUser()))
                if ctl.json { ctl.emit(raw) } else { for e in result.events { say(e.text ?? "") } }
                if result.events.contains(where: { $0.text?.hasPrefix("fail") == true }) { throw ExitCode(1) }
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Equipment-check results of a day (site time).")
        @ParentCommand var ctl: Watchroomctl
        @Option(name: .long) var date: String?
        func run() throws {
            try guarded {
                let (events, raw) = try ctl.get("/v1/check/equipment/report\(date.map { "?date=\(query($0))" } ?? "")", as: [AlarmEvent].self)
                if ctl.json { ctl.emit(raw); return }
                if events.isEmpty { say("no equipment check recorded \(date.map { "on \($0)" } ?? "today")"); return }
                for e in events { say("\(Format.time(e.time))  \(e.text ?? "")") }
            }
        }
    }
}
