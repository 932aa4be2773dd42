import ArgumentParser
import Control
import Foundation

/// `watchroomctl whoami`: who the daemon thinks you are (your Unix account, mapped to a site
/// user by `users[].unix`) and what your roles let you do.
struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Who the daemon thinks you are, and your roles.")
    @ParentCommand var ctl: Watchroomctl

    func run() throws {
        try guarded {
            let (w, raw) = try ctl.get("/v1/whoami", as: Whoami.self)
            if ctl.json { ctl.emit(raw); return }
            let account = w.unix.map { "Unix account \($0)" } ?? "an unknown account"
            if w.trustMode {
                say("\(account); the site has no users: section, so names are typed with --user and believed (trust mode)")
                return
            }
            if w.login == nil, let refusal = w.refusal {
                // Who you are not: the daemon answers nothing else to this account.
                say("\(account): no site user; \(refusal)")
                return
            }
            say("\(w.name ?? "?") (\(w.login ?? "?")), \(account)")
            say("roles: \(w.roles.joined(separator: ", "))")
            say("may: \(w.may.joined(separator: ", "))")
        }
    }
}

extension Watchroomctl {
    /// The name a command without --user sends: in trust mode $USER (as before users existed);
    /// with users nothing, so the daemon takes the caller.
    func defaultUser() throws -> String? {
        let (w, _) = try get("/v1/whoami", as: Whoami.self)
        return w.trustMode ? Watchroomctl.environmentUser() : nil
    }

    /// $USER, else the account this runs as. Never "scheduled": a check started by hand with $USER
    /// unset (sudo -u, a cron line) was recorded as if the timer had run it; the timers say
    /// `--user scheduled` themselves.
    static func environmentUser() -> String {
        if let u = ProcessInfo.processInfo.environment["USER"], !u.isEmpty { return u }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }
}
