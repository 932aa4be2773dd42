import Foundation
import Yams

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
    let node: Node
    let file: String
    let sink: DiagnosticSink

    var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func error(_ message: String) { sink.add(location, message) }
    func warning(_ message: String) { sink.warn(location, message) }

    var scalarText: String? { node.scalar?.string }

    // MARK: scalars

    func string(_ what: String) -> String? {
        guard let s = node.scalar else { error("\(what) must be a text value"); return nil }
        return s.string
    }

    /// An integer within `range` (every number of a config has one), written in decimal, with `_`, or as 0x hex.
    func int(_ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let s = node.scalar, let v = Int(s.string.replacingOccurrences(of: "_", with: ""))
                ?? Self.hexInt(s.string)
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
        guard let s = node.scalar, let v = Double(s.string) ?? Self.hexInt(s.string).map(Double.init)
        else { error("\(what) must be a number, not '\(scalarText ?? "a collection")'"); return nil }
        guard v.isFinite else { error("\(what) must be a finite number, not '\(s.string)'"); return nil }
        return v
    }

    static func format(_ v: Double) -> String { String(format: "%g", v) }

    func bool(_ what: String) -> Bool? {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: error("\(what) must be true or false"); return nil
        }
    }

    func stringList(_ what: String) -> [String]? {
        guard case .sequence(let seq) = node else { error("\(what) must be a list"); return nil }
        var out: [String] = []
        for item in seq {
            if let s = YNode(node: item, file: file, sink: sink).string("each entry of \(what)") { out.append(s) }
        }
        return out
    }

    func list(_ what: String) -> [YNode]? {
        guard case .sequence(let seq) = node else { error("\(what) must be a list"); return nil }
        return seq.map { YNode(node: $0, file: file, sink: sink) }
    }

    func map(_ what: String) -> YMap? {
        guard case .mapping(let m) = node else { error("\(what) must be a mapping of keys to values"); return nil }
        return YMap(mapping: m, at: self)
    }
}

/// A YAML mapping read key by key; `finish(allowed:)` reports keys that nobody asked for.
struct YMap {
    let entries: [(key: YNode, value: YNode)]
    let at: YNode

    init(mapping: Node.Mapping, at: YNode) {
        self.at = at
        // A renamed duplicate key is reported already (see DuplicateKeys); its later use is the one read.
        entries = mapping.filter { !DuplicateKeys.isPlaceholder($0.key) }.map {
            (YNode(node: $0.key, file: at.file, sink: at.sink), YNode(node: $0.value, file: at.file, sink: at.sink))
        }
    }

    var keys: [String] { entries.compactMap { $0.key.scalarText } }

    subscript(_ key: String) -> YNode? {
        entries.first { $0.key.scalarText == key }?.value
    }

    func keyNode(_ key: String) -> YNode? { entries.first { $0.key.scalarText == key }?.key }

    /// Reports a required key that is absent, at the mapping's own position.
    func required(_ key: String, in what: String) -> YNode? {
        if let v = self[key] { return v }
        at.error("\(what) is missing required key '\(key)'")
        return nil
    }

    /// Reports unknown and duplicate keys, with a suggestion when one is close to a known key.
    func check(allowed: [String], in what: String) {
        var seen = Set<String>()
        for (key, _) in entries {
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
/// reported (not only the first), and parsing goes on past them to the file's other mistakes.
func parseYAML(text: String, file: String, sink: DiagnosticSink) -> YNode? {
    var duplicates = DuplicateKeys(text: text)
    while true {
        do {
            guard let node = try Yams.compose(yaml: duplicates.text) else {
                sink.add(SourceLocation(file: file, line: 1, column: 1), "the file is empty")
                return nil
            }
            let root = YNode(node: node, file: file, sink: sink)
            duplicates.report(in: node, file: file, sink: sink)
            return root
        } catch let e as YamlError {
            if case .duplicatedKeysInMapping(let names, let context) = e, duplicates.rename(names.first, at: context.mark) {
                continue
            }
            add(e, text: duplicates.text, file: file, sink: sink)
            duplicates.report(in: nil, file: file, sink: sink)
            return nil
        } catch {
            sink.add(SourceLocation(file: file, line: 1, column: 1), "YAML: \(error)")
            return nil
        }
    }
}

private func add(_ e: YamlError, text: String, file: String, sink: DiagnosticSink) {
    switch e {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
        sink.add(SourceLocation(file: file, line: mark.line, column: mark.column),
                 "YAML syntax: \(problem)\(flowIndexHint(problem: problem, text: text, at: mark))")
    case .composer(_, let problem, let mark, _):
        sink.add(SourceLocation(file: file, line: mark.line, column: mark.column), "YAML: \(problem)")
    case .duplicatedKeysInMapping(let duplicates, let context):
        sink.add(SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                 "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in this mapping")
    case .reader(let problem, _, _, _):
        // Never the error's own description: it quotes the file, and with it a webhook's key.
        sink.add(SourceLocation(file: file, line: 1, column: 1), "YAML: \(problem)")
    default:
        sink.add(SourceLocation(file: file, line: 1, column: 1), "YAML: the file cannot be read as YAML")
    }
}

/// Inside `{ }`, `[` opens a list, so an unquoted `di-1.di[0]` ends at `di-1.di` and the parser
/// stops at the `[`: say to quote it.
private func flowIndexHint(problem: String, text: String, at mark: Mark) -> String {
    guard problem.contains("expected ',' or '}'"),
          let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first
    else { return "" }
    let scalars = Array(line.unicodeScalars)
    let i = mark.column - 1
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
