import Alarms
import ArgumentParser
import Control
import Foundation
import SiteConfig

@main
struct Watchroomctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchroomctl",
        abstract: "Operate Watchroom: watch and handle alarms, arm and disarm zones, keep the duty records.",
        discussion: "Global options go before the subcommand: watchroomctl --socket PATH --json alarms",
        subcommands: [Status.self, Alarms.self, Show.self, Watch.self, Ack.self, Note.self, Reset.self, Shelve.self,
                      Unshelve.self, Arm.self, Disarm.self, OutOfService.self, ReturnToService.self, Events.self,
                      Notifications.self, SelfTest.self, Check.self, Recordings.self, Media.self, VisitorCommand.self,
                      RepairCommand.self, Equipment.self, Handover.self, WhoamiCommand.self]
    )

    /// Parses and runs, with usage errors (a missing or malformed argument, an unknown command)
    /// exiting 2 as documented, not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    @Option(name: .long, help: "The daemon's control socket (default: the config's control.socket, else /run/watchroom/control.sock).")
    var socket: String?
    @Option(name: .long, help: "A site config to take the control socket from.")
    var config: String?
    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    func client() throws -> ControlClient {
        if let socket { return ControlClient(socketPath: socket) }
        if let config {
            do { return ControlClient(socketPath: try SiteConfigLoader.controlSocket(configFile: config)) } catch {
                throw Fail(error.description, code: 2)
            }
        }
        return ControlClient(socketPath: "/run/watchroom/control.sock")
    }
}

/// A failure with its exit code: 1 refused or failed, 2 usage or config.
struct Fail: Error, CustomStringConvertible {
    let description: String
    let code: Int32
    init(_ message: String, code: Int32 = 1) {
        description = message
        self.code = code
    }
}

extension ParsableCommand {
    /// Runs `body`, printing a failure as "watchroomctl: message" with its exit code.
    func guarded(_ body: () throws -> Void) throws {
        do { try body() } catch let f as Fail {
            FileHandle.standardError.write(Data("watchroomctl: \(Printable.line(f.description))\n".utf8))
            throw ExitCode(f.code)
        } catch let f as ControlClient.Failure {
            FileHandle.standardError.write(Data("watchroomctl: \(Printable.line(f.description))\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension Watchroomctl {
    /// GET a path and decode its JSON, or fail with the daemon's message.
    func get<T: Decodable>(_ path: String, as: T.Type) throws -> (T, Data) {
        let reply = try client().request("GET", path)
        try check(reply)
        do { return (try ControlJSON.decoder.decode(T.self, from: reply.body), reply.body) } catch {
            throw Fail("unexpected reply from the daemon: \(error)")
        }
    }

    func post(_ path: String, _ body: CommandBody) throws -> (CommandResult, Data) {
        let data = try ControlJSON.encoder.encode(body)
        let reply = try client().request("POST", path, body: data)
        try check(reply)
        return (try ControlJSON.decoder.decode(CommandResult.self, from: reply.body), reply.body)
    }

    func check(_ reply: ControlClient.Reply) throws {
        guard reply.status != 200 else { return }
        let message = (try? ControlJSON.decoder.decode(ErrorBody.self, from: reply.body).error)
            ?? String(decoding: reply.body, as: UTF8.self)
        throw Fail(message, code: reply.status == 400 ? 2 : 1)
    }

    func emit(_ data: Data) { print(String(decoding: data, as: UTF8.self)) }

    /// GETs a list page by page (the daemon answers at most 1000 items a request) until `wanted`
    /// items (nil: all) or a short page; `path` builds a page's request from its size and the last
    /// item of the previous page. Calls `page` with each page's items and raw JSON.
    func forEachPage<T: Decodable>(wanted: Int?, _ path: (_ limit: Int, _ last: T?) -> String,
                                   _ page: ([T], Data) throws -> Void) throws {
        var got = 0
        var last: T?
        while true {
            let limit = min(Self.pageSize, wanted.map { $0 - got } ?? Self.pageSize)
            guard limit > 0 else { return }
            let (items, raw) = try get(path(limit, last), as: [T].self)
            try page(items, raw)
            got += items.count
            guard items.count == limit, let end = items.last else { return }
            last = end
        }
    }

    /// Every page of a list (see `forEachPage`), and one JSON array of them for --json.
    func allPages<T: Decodable>(wanted: Int?, _ path: (_ limit: Int, _ last: T?) -> String) throws -> ([T], Data) {
        var all: [T] = []
        var parts: [String] = []
        try forEachPage(wanted: wanted, path) { (items: [T], raw: Data) in
            all += items
            // Splice the daemon's own JSON (its arrays' insides), so --json stays exactly what it sent.
            let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let inner = text.dropFirst().dropLast()
            if !items.isEmpty { parts.append(String(inner)) }
        }
        return (all, Data("[\(parts.joined(separator: ","))]".utf8))
    }

    static let pageSize = 1000

    /// Runs an operator command and prints what it did.
    func perform(_ path: String, _ body: CommandBody) throws {
        let (result, raw) = try post(path, body)
        if json { emit(raw); return }
        for e in result.events { say(Format.event(e)) }
    }
}

/// Prints one line of human-readable output: text from the daemon (notes, names, users) may hold
/// control characters, which must not redraw the operator's terminal or forge a line.
func say(_ line: String) { print(Printable.line(line)) }

/// The typed --user, or nil: the daemon then acts as the caller's site user (and, in trust mode,
/// refuses with "--user NAME is required").
func requireUser(_ user: String) throws -> String? {
    let u = user.trimmingCharacters(in: .whitespaces)
    return u.isEmpty ? nil : u
}
