/// `board:`: where watchroomd serves the operators' web console, and from which priority it sounds.
public struct BoardSettings: Sendable, Hashable {
    /// The address to listen on (an IP literal or a host name; loopback unless the admin chooses otherwise).
    public let host: String
    public let port: Int
    /// An unacknowledged alarm at or above this priority sounds in the browser.
    public let soundMinPriority: Priority

    public init(host: String, port: Int, soundMinPriority: Priority = .high) {
        self.host = host
        self.port = port
        self.soundMinPriority = soundMinPriority
    }

    /// `host:port` as written in the config.
    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension SiteConfigLoader.Reader {
    /// `board: {listen: "127.0.0.1:8080", sound_min_priority: high}`; nil when absent.
    func readBoard(_ top: YMap) -> BoardSettings? {
        guard let node = top["board"], let b = node.map("board") else { return nil }
        b.check(allowed: ["listen", "sound_min_priority"], in: "board")
        var sound = Priority.high
        if let p = b["sound_min_priority"] { sound = priorityValue(p) ?? sound }
        guard let listen = b.required("listen", in: "board"), let text = listen.string("board listen") else { return nil }
        guard let (host, port) = Self.hostPort(text) else {
            listen.error("board listen '\(text)' must be HOST:PORT with a port 1...65535, e.g. \"127.0.0.1:8080\"")
            return nil
        }
        return BoardSettings(host: host, port: port, soundMinPriority: sound)
    }

    /// `HOST:PORT` or `[IPv6]:PORT`.
    static func hostPort(_ text: String) -> (String, Int)? {
        var host: Substring, portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }
}
