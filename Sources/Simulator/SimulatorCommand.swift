import Foundation
public import SiteConfig

/// One line of a scenario file or of the simulator's control channel.
public enum SimulatorCommand: Sendable, Equatable {
    case say(String)
    case wait(Duration)
    case zone(String, String)
    case sensor(String, Double)
    case equipment(String, alarm: Bool)
    case set(PointRef, String)
    case get(PointRef)
    /// Sets every element of a point at once (a flood of trips, for tests and load).
    case fill(device: String, point: String, value: String)
    case silence(String)
    case exception(String, UInt8)
    case answer(String)
    /// Breaks (or mends) the wiring from a zone's test relay to its loop, for self-test tests.
    case wiring(zone: String, broken: Bool)
    /// Reports how many requests a device has received (to check poll rates from outside).
    case stats(String)
    /// An operator's action, played by a scenario against the daemon (the demo): the verb
    /// (ack, note, reset, arm, disarm, shelve, unshelve, out-of-service, return-to-service),
    /// the zone/sensor/equipment/device or area it concerns, the user, and the rest of the line.
    case operatorAction(verb: String, target: String, user: String, rest: String)

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    static let usage = """
        commands: say TEXT | wait 2s | zone ZONE normal|alarm|tamper|fault | sensor SENSOR VALUE | \
        equipment EQUIPMENT normal|alarm | set DEVICE.POINT[INDEX] VALUE | get DEVICE.POINT[INDEX] | fill DEVICE.POINT VALUE | \
        silence DEVICE | exception DEVICE CODE | answer DEVICE | stats DEVICE | wiring ZONE broken|ok; \
        operator steps (demo): ack|reset|arm|disarm|unshelve|return-to-service TARGET USER, \
        note TARGET USER TEXT, shelve TARGET USER DURATION REASON, out-of-service ZONE USER REASON
        """

    /// Parses one line; nil for blank lines and `#` comments.
    public static func parse(_ line: String) throws(ParseError) -> SimulatorCommand? {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.hasPrefix("#") { return nil }
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let verb = words[0].lowercased()
        func arg(_ i: Int, _ what: String) throws(ParseError) -> String {
            guard i < words.count else { throw ParseError(message: "'\(verb)' needs \(what)") }
            return words[i]
        }
        func ref(_ s: String) throws(ParseError) -> PointRef {
            guard let r = PointRef(parsing: s) else { throw ParseError(message: "'\(s)' is not DEVICE.POINT or DEVICE.POINT[INDEX]") }
            return r
        }
        switch verb {
        case "say": return .say(String(text.dropFirst(3)).trimmingCharacters(in: .whitespaces))
        case "wait":
            let w = try arg(1, "a duration such as 2s or 500ms")
            guard let d = parseDuration(w) else { throw ParseError(message: "'\(w)' is not a duration (2s, 500ms, 1m)") }
            return .wait(d)
        case "zone":
            let state = try arg(2, "a state: normal, alarm, tamper or fault")
            guard ["normal", "alarm", "tamper", "fault"].contains(state) else {
                throw ParseError(message: "zone state '\(state)' must be normal, alarm, tamper or fault")
            }
            return .zone(try arg(1, "a zone id"), state)
        case "sensor":
            let v = try arg(2, "a value")
            guard let n = Double(v) else { throw ParseError(message: "sensor value '\(v)' is not a number") }
            return .sensor(try arg(1, "a sensor id"), n)
        case "equipment":
            let state = try arg(2, "normal or alarm")
            guard state == "normal" || state == "alarm" else { throw ParseError(message: "equipment state must be normal or alarm") }
            return .equipment(try arg(1, "an equipment id"), alarm: state == "alarm")
        case "set": return .set(try ref(try arg(1, "a point")), try arg(2, "a value"))
        case "get": return .get(try ref(try arg(1, "a point")))
        case "fill":
            let r = try ref(try arg(1, "a point DEVICE.POINT"))
            return .fill(device: r.device, point: r.point, value: try arg(2, "a value"))
        case "silence": return .silence(try arg(1, "a device id"))
        case "answer": return .answer(try arg(1, "a device id"))
        case "stats": return .stats(try arg(1, "a device id"))
        case "wiring":
            let state = try arg(2, "broken or ok")
            guard state == "broken" || state == "ok" else { throw ParseError(message: "wiring takes ZONE broken|ok") }
            return .wiring(zone: try arg(1, "a zone id"), broken: state == "broken")
        case "exception":
            let c = try arg(2, "an exception code 1-11")
            guard let code = UInt8(c), (1...11).contains(code) else { throw ParseError(message: "exception code '\(c)' must be 1-11") }
            return .exception(try arg(1, "a device id"), code)
        case "handover":
            // handover FROM TO [NOTE]: the duty operator hands the shift over (a daemon step).
            return .operatorAction(verb: verb, target: try arg(1, "who hands over"), user: try arg(2, "who takes over"),
                                   rest: words.dropFirst(3).joined(separator: " "))
        case "ack", "note", "reset", "arm", "disarm", "shelve", "unshelve", "out-of-service", "return-to-service":
            let target = try arg(1, "a zone, sensor, equipment, device or area id")
            let user = try arg(2, "the user who acts")
            let rest = words.dropFirst(3).joined(separator: " ")
            if (verb == "note" || verb == "out-of-service") && rest.isEmpty { throw ParseError(message: "'\(verb)' needs text after the user") }
            if verb == "shelve" {
                guard words.count >= 5, parseDuration(words[3]) != nil else {
                    throw ParseError(message: "'shelve' takes TARGET USER DURATION REASON, e.g. shelve Z05 张三 30m 树枝误报")
                }
            }
            return .operatorAction(verb: verb, target: target, user: user, rest: rest)
        default:
            throw ParseError(message: "unknown command '\(verb)'; \(usage)")
        }
    }

    /// `2s`, `500ms`, `1m`, `1.5s`.
    public static func parseDuration(_ s: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count)), v >= 0 else { return nil }
            return .milliseconds(Int64((v * factor * 1000).rounded()))
        }
        return nil
    }
}
