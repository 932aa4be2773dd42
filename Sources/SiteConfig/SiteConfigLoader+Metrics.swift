#if canImport(Glibc)
import Glibc
#endif

/// `metrics: {listen: "127.0.0.1:9630"}`: where the Prometheus endpoint (`/metrics`, `/healthz`) listens.
public struct MetricsSettings: Sendable, Hashable {
    /// The address to bind: an IPv4 or IPv6 literal (`0.0.0.0` for every interface) or `localhost`.
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// As written in the config (`[::1]:9630` for IPv6).
    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `HOST:PORT`, or why not, in words naming what to write instead.
    public static func parse(listen text: String) -> Result<MetricsSettings, ListenError> {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            // [::1]:9630
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(ListenError("'\(text)' must look like [IPV6]:PORT, e.g. [::1]:9630"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                return .failure(ListenError("'\(text)' must look like HOST:PORT, e.g. 127.0.0.1:9630"))
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let number = Int(port), (1...65535).contains(number) else {
            return .failure(ListenError("'\(text)': the port must be a number from 1 to 65535"))
        }
        let h = String(host)
        guard h == "localhost" || isAddress(h) else {
            return .failure(ListenError("'\(text)': the host must be an IP address (127.0.0.1, 0.0.0.0, [::1]) or localhost"))
        }
        return .success(MetricsSettings(host: h, port: number))
    }

    static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    public struct ListenError: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

extension SiteConfigLoader.Reader {
    /// The `metrics:` section; nil when absent (no endpoint).
    func readMetrics(_ top: YMap) -> MetricsSettings? {
        guard let m = top["metrics"]?.map("metrics") else { return nil }
        m.check(allowed: ["listen"], in: "metrics")
        guard let node = m.required("listen", in: "metrics"), let text = node.string("metrics listen") else { return nil }
        switch MetricsSettings.parse(listen: text) {
        case .success(let settings): return settings
        case .failure(let error):
            node.error("metrics listen \(error)")
            return nil
        }
    }
}
