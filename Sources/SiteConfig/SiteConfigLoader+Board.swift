/// `board:`: where watchroomd serves the operators' web console, and from which priority it sounds.
public struct BoardSettings: Sendable, Hashable {
    /// The address to listen on (an IP literal or a host name; loopback unless the admin chooses otherwise).
    public let host: String
    public let port: Int
    /// An unacknowledged alarm at or above this priority sounds in the browser.
    public let soundMinPriority: Priority

    /// The address people open (`board.url`, e.g. behind a TLS proxy); nil: from `listen`.
    public let url: String?

    public init(host: String, port: Int, soundMinPriority: Priority = .high, url: String? = nil) {
        self.host = host
        self.port = port
        self.soundMinPriority = soundMinPriority
        self.url = url
    }

    /// Where a message's link to an alarm points: `url` when given, else `http://listen`, and none
    /// for a wildcard listen (0.0.0.0 or ::), which is no address a phone could open.
    public var linkBase: String? {
        if let url { return url }
        return ["0.0.0.0", "::", "*"].contains(host) ? nil : "http://\(listen)"
    }

    /// `host:port` as written in the config.
    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension SiteConfigLoader.Reader {
    /// `board: {listen: "127.0.0.1:8080", sound_min_priority: high}`; nil when absent.
    func readBoard(_ top: YMap) -> BoardSettings? {
        guard let node = top["board"], let b = node.map("board") else { return nil }
        b.check(allowed: ["listen", "sound_min_priority", "url"], in: "board")
        var sound = Priority.high
        if let p = b["sound_min_priority"] { sound = priorityValue(p) ?? sound }
        // The url before the listen: a bad listen must not hide a bad url (one pass names every mistake).
        var url: String?
        if let u = b["url"], let text = u.string("board url") {
            if text.hasPrefix("http://") || text.hasPrefix("https://") { url = text }
            else { u.error("board url '\(text)' must start with http:// or https://, e.g. \"https://board.example\"") }
        }
        guard let listen = b.required("listen", in: "board"), let text = listen.string("board listen") else { return nil }
        guard let (host, port) = Self.hostPort(text) else {
            listen.error("board listen '\(text)' must be HOST:PORT with a port 1...65535, e.g. \"127.0.0.1:8080\"")
            return nil
        }
        return BoardSettings(host: host, port: port, soundMinPriority: sound, url: url)
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
