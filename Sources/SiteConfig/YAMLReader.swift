import Foundation

/// A position in a source file.
public struct SourceLocation: Sendable, Hashable {
    public let file: String
    public let line: Int
    public let column: Int
}

/// Collects diagnostics while a file is read, so that every mistake is reported at once.
final class DiagnosticSink {
    private(set) var items: [Diagnostic] = []
    /// What loads but is probably a mistake; never makes a config invalid.
    private(set) var warnings: [Diagnostic] = []
    func add(_ at: SourceLocation, _ message: String) {
        items.append(Diagnostic(file: at.file, line: at.line, column: at.column, message: message))
    }
    func warn(_ at: SourceLocation, _ message: String) {
        warnings.append(Diagnostic(file: at.file, line: at.line, column: at.column, message: message))
    }
}

/// A YAML node with its file, for reading typed values and reporting where a value is wrong.
struct YNode {
    let node: ConfigNode
    let file: String
    let sink: DiagnosticSink

    var location: SourceLocation {
        let at = node.position
        return SourceLocation(file: file, line: Int(at.line), column: Int(at.column))
    }

    func error(_ message: String) { sink.add(location, message) }
    func warning(_ message: String) { sink.warn(location, message) }

    var scalarText: String? { node.scalarText }

    // MARK: scalars

    func string(_ what: String) -> String? {
        guard let s = node.scalarText else { error("\(what) must be a text value"); return nil }
        return s
    }

    /// An integer within `range` (every number of a config has one), written in decimal, with `_`, or as 0x hex.
    func int(_ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let s = node.scalarText, let v = Int(s.contains("_") ? s.filter { $0 != "_" } : s) ?? Self.hexInt(s)
        else { error("\(what) must be an integer, not '\(scalarText ?? "a collection")'"); return nil }
        if !range.contains(v) {
            error("\(what) \(v) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return v
    }

    private static func hexInt(_ s: String) -> Int? {
        s.hasPrefix("0x") || s.hasPrefix("0X") ? Int(s.dropFirst(2), radix: 16) : nil
    }

    /// A finite number within `range`. NaN, infinities and numbers past the range are refused here,
    /// so that no later conversion (seconds to an Int64 of milliseconds, say) can trap the daemon.
    func double(_ what: String, in range: ClosedRange<Double>) -> Double? {
        guard let v = finiteDouble(what) else { return nil }
        if !range.contains(v) {
            error("\(what) \(Self.format(v)) is out of range \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))")
            return nil
        }
        return v
    }

    /// A finite number from `range.lowerBound` to below `range.upperBound`.
    func double(_ what: String, in range: Range<Double>) -> Double? {
        guard let v = finiteDouble(what) else { return nil }
        if !range.contains(v) {
            error("\(what) must be from \(Self.format(range.lowerBound)) to below \(Self.format(range.upperBound)), not \(Self.format(v))")
            return nil
        }
        return v
    }

    private func finiteDouble(_ what: String) -> Double? {
        guard let s = node.scalarText, let v = Double(s) ?? Self.hexInt(s).map(Double.init)
        else { error("\(what) must be a number, not '\(scalarText ?? "a collection")'"); return nil }
        guard v.isFinite else { error("\(what) must be a finite number, not '\(s)'"); return nil }
        return v
    }

    static func format(_ v: Double) -> String { String(format: "%g", v) }

    func bool(_ what: String) -> Bool? {
        switch node.scalarText?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: error("\(what) must be true or false"); return nil
        }
    }

    func stringList(_ what: String) -> [String]? {
        guard let seq = node.sequence else { error("\(what) must be a list"); return nil }
        var out: [String] = []
        for item in seq {
            if let s = YNode(node: item, file: file, sink: sink).string("each entry of \(what)") { out.append(s) }
        }
        return out
    }

    func list(_ what: String) -> [YNode]? {
        guard let seq = node.sequence else { error("\(what) must be a list"); return nil }
        return seq.map { YNode(node: $0, file: file, sink: sink) }
    }

    func map(_ what: String) -> YMap? {
        guard let pairs = node.pairs else { error("\(what) must be a mapping of keys to values"); return nil }
        return YMap(pairs: pairs, at: self)
    }
}

/// A YAML mapping read key by key; `finish(allowed:)` reports keys that nobody asked for.
///
/// It reads the tree's own pairs (no copy per mapping) and finds a key by looking at each: a
/// config's mappings hold a handful of keys, where that beats hashing.
struct YMap {
    let pairs: [ConfigNode.Pair]
    let at: YNode

    init(pairs: [ConfigNode.Pair], at: YNode) {
        self.pairs = pairs
        self.at = at
    }

    private func wrap(_ node: ConfigNode) -> YNode { YNode(node: node, file: at.file, sink: at.sink) }

    /// Every key and value, in file order (a duplicate key once, at its later use: see `ConfigNodeBuilder`).
    var entries: [(key: YNode, value: YNode)] { pairs.map { (wrap($0.key), wrap($0.value)) } }

    var keys: [String] { pairs.compactMap { $0.key.scalarText } }

    subscript(_ key: String) -> YNode? {
        pairs.first { $0.key.scalarText == key }.map { wrap($0.value) }
    }

    func keyNode(_ key: String) -> YNode? { pairs.first { $0.key.scalarText == key }.map { wrap($0.key) } }

    /// Reports a required key that is absent, at the mapping's own position.
    func required(_ key: String, in what: String) -> YNode? {
        if let v = self[key] { return v }
        at.error("\(what) is missing required key '\(key)'")
        return nil
    }

    /// Reports unknown and duplicate keys, with a suggestion when one is close to a known key.
    func check(allowed: [String], in what: String) {
        var seen = Set<String>()
        for pair in pairs {
            let key = wrap(pair.key)
            guard let name = key.scalarText else { key.error("\(what) has a key that is not text"); continue }
            if !seen.insert(name).inserted { key.error("\(what) has key '\(name)' twice") }
            if !allowed.contains(name) {
                let hint = allowed.min { editDistance($0, name) < editDistance($1, name) }
                    .flatMap { editDistance($0, name) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
                key.error("unknown key '\(name)' in \(what)\(hint); known keys: \(allowed.joined(separator: ", "))")
            }
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}

/// Parses a YAML file into a node, turning syntax errors into diagnostics. Every duplicate key is
/// reported (not only the first), and reading goes on past them to the file's other mistakes.
func parseYAML(text: String, file: String, sink: DiagnosticSink) -> YNode? {
    let parsed = ConfigNodeBuilder.parse(text)
    for d in parsed.duplicates {
        sink.add(SourceLocation(file: file, at: d.at),
                 "duplicate key '\(d.name)' (first at line \(d.first.line), column \(d.first.column)); give each key once")
    }
    if let failure = parsed.failure {
        add(failure, text: text, file: file, sink: sink)
        return nil
    }
    guard let root = parsed.root else {
        sink.add(SourceLocation(file: file, line: 1, column: 1), "the file is empty")
        return nil
    }
    return YNode(node: root, file: file, sink: sink)
}

extension SourceLocation {
    init(file: String, at: ConfigNode.Position) {
        self.init(file: file, line: Int(at.line), column: Int(at.column))
    }
}

/// The wording (and the positions) are those the Yams-based reader gave.
private func add(_ failure: ConfigNodeBuilder.Failure, text: String, file: String, sink: DiagnosticSink) {
    switch failure {
    case .syntax(let problem, let at):
        sink.add(SourceLocation(file: file, at: at), "YAML syntax: \(problem)\(flowIndexHint(problem: problem, text: text, at: at))")
    case .undefinedAlias(let name, let at):
        sink.add(SourceLocation(file: file, at: at),
                 "YAML: found undefined alias '*\(name)'; an alias must come after its anchor '&\(name)'")
    case .anotherDocument(let at):
        sink.add(SourceLocation(file: file, at: at), "YAML: but found another document; a config file holds one document")
    case .reader(let problem):
        // Never more than libyaml's problem: the text around it may hold a webhook's key.
        sink.add(SourceLocation(file: file, line: 1, column: 1), "YAML: \(problem)")
    case .outOfMemory:
        sink.add(SourceLocation(file: file, line: 1, column: 1), "YAML: the file cannot be read as YAML")
    }
}

/// Inside `{ }`, `[` opens a list, so an unquoted `di-1.di[0]` ends at `di-1.di` and the parser
/// stops at the `[`: say to quote it.
private func flowIndexHint(problem: String, text: String, at mark: ConfigNode.Position) -> String {
    guard problem.contains("expected ',' or '}'"),
          let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(Int(mark.line) - 1).first
    else { return "" }
    let scalars = Array(line.unicodeScalars)
    let i = Int(mark.column) - 1
    guard i > 0, i < scalars.count, scalars[i] == "[" else { return "" }
    let stops: Set<Unicode.Scalar> = [" ", "{", ",", ":"]
    var start = i
    while start > 0 && !stops.contains(scalars[start - 1]) { start -= 1 }
    var end = i
    while end < scalars.count && scalars[end] != "]" { end += 1 }
    guard end < scalars.count else { return "" }
    var ref = String.UnicodeScalarView()
    ref.append(contentsOf: scalars[start...end])
    guard PointRef(parsing: String(ref)) != nil else { return "" }
    return " (inside { } a point reference with an index must be in quotes: \"\(String(ref))\"; unquoted, [ ] is a YAML list)"
}
