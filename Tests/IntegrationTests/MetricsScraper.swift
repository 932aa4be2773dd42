import Foundation

/// Reads a daemon's metrics endpoint with clients that are not ours: Python's urllib for HTTP,
/// `prometheus_client`'s parser and `promtool` for the text format (Debian's packages, `make test-deps`).
enum MetricsScraper {
    struct Page { let status: Int; let contentType: String; let body: String }
    /// One sample as prometheus_client parsed it.
    struct Sample: Decodable, Equatable { let name: String; let labels: [String: String]; let value: Double }
    struct Parsed: Decodable { let types: [String: String]; let samples: [Sample] }

    static let python = "/usr/bin/python3"

    static func get(port: Int, path: String) async throws -> Page {
        let script = """
        import sys, urllib.request, urllib.error
        try:
            r = urllib.request.urlopen(sys.argv[1], timeout=10)
        except urllib.error.HTTPError as e:
            r = e
        body = r.read().decode()
        sys.stdout.write(str(r.status) + "\\n" + (r.headers.get("Content-Type") or "") + "\\n" + body)
        """
        let r = try await runToExit(python, ["-c", script, "http://127.0.0.1:\(port)\(path)"], deadline: .seconds(20))
        let parts = r.out.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let status = Int(parts[0]) else { throw Failure(text: "GET \(path): \(r.out) \(r.err)") }
        return Page(status: status, contentType: String(parts[1]), body: String(parts[2]))
    }

    /// The exposition as prometheus_client's parser reads it (it throws on anything malformed).
    static func parse(_ text: String, in dir: URL) async throws -> Parsed {
        let file = dir.appendingPathComponent("scrape-\(UUID().uuidString.prefix(6)).txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let script = """
        import sys, json
        from prometheus_client.parser import text_string_to_metric_families
        types, samples = {}, []
        for f in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
            types[f.name] = f.type
            for s in f.samples:
                samples.append({"name": s.name, "labels": s.labels, "value": s.value if s.value == s.value else -1.0})
        print(json.dumps({"types": types, "samples": samples}))
        """
        let r = try await runToExit(python, ["-c", script, file.path], deadline: .seconds(20))
        guard r.status == 0 else { throw Failure(text: "prometheus_client could not parse the scrape: \(r.err)") }
        return try JSONDecoder().decode(Parsed.self, from: Data(r.out.utf8))
    }

    /// `promtool check metrics`: exit status and what it said (nothing when the page is clean).
    static func lint(_ text: String, in dir: URL) async throws -> (status: Int32?, said: String) {
        let file = dir.appendingPathComponent("lint-\(UUID().uuidString.prefix(6)).txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try await runToExit("/bin/sh", ["-c", "promtool check metrics < \"$1\"", "sh", file.path], deadline: .seconds(30))
        return (r.status, r.out + r.err)
    }

    struct Failure: Error, CustomStringConvertible { let text: String; var description: String { text } }
}

extension MetricsScraper.Parsed {
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { s in s.name == name && labels.allSatisfy { k, v in s.labels[k] == v } }?.value
    }
}
