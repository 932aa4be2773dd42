import Yams

/// Every duplicate key of a file, not only the first.
///
/// Yams refuses a mapping with a duplicate key and stops there, naming the first use of one key.
/// To find them all, that first use is renamed in the text to a placeholder of the same length
/// (so every line and column stays where it was) and the file is parsed again; once it parses,
/// each mapping that holds a placeholder shows where its key was used again. Placeholders are
/// private-use characters, which no config key contains; readers skip them (see `YMap`).
struct DuplicateKeys {
    private(set) var text: String
    /// The renamed first uses: the key and where it was.
    private var renamed: [(name: String, line: Int, column: Int)] = []
    /// Enough for any real file; past it the last duplicate is reported as Yams found it.
    static let maxRenames = 200
    static let placeholderBase: UInt32 = 0xE000

    init(text: String) { self.text = text }

    static func isPlaceholder(_ node: Node) -> Bool {
        guard let s = node.scalar?.string, !s.isEmpty else { return false }
        return s.unicodeScalars.allSatisfy { (placeholderBase..<placeholderBase + UInt32(maxRenames)).contains($0.value) }
    }

    /// Renames the key `name` at `mark` (a first use); false when it cannot (then the duplicate is
    /// reported as Yams found it and parsing stops).
    mutating func rename(_ name: String?, at mark: Mark) -> Bool {
        guard let name, renamed.count < Self.maxRenames,
              let placeholder = Unicode.Scalar(Self.placeholderBase + UInt32(renamed.count))
        else { return false }
        var scalars = Array(text.unicodeScalars)
        // The start of the mark's line; libyaml counts columns in Unicode scalars.
        var line = 1, i = 0
        while line < mark.line && i < scalars.count {
            if scalars[i] == "\n" { line += 1 }
            i += 1
        }
        let start = i + mark.column - 1
        guard line == mark.line, start < scalars.count, let length = Self.keyLength(scalars, at: start, name: name)
        else { return false }
        for j in start..<start + length { scalars[j] = placeholder }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        text = String(view)
        renamed.append((name, mark.line, mark.column))
        return true
    }

    /// The length of the key written at `start`: quoted, up to its closing quote; plain, the name itself.
    private static func keyLength(_ s: [Unicode.Scalar], at start: Int, name: String) -> Int? {
        let quote = s[start]
        if quote == "\"" || quote == "'" {
            var j = start + 1
            while j < s.count && s[j] != "\n" {
                if quote == "\"" && s[j] == "\\" { j += 2; continue }
                if s[j] == quote {
                    if quote == "'" && j + 1 < s.count && s[j + 1] == "'" { j += 2; continue }
                    return j - start + 1
                }
                j += 1
            }
            return nil
        }
        let key = Array(name.unicodeScalars)
        guard start + key.count <= s.count, Array(s[start..<start + key.count]) == key else { return nil }
        return key.count
    }

    /// Reports each later use of a renamed key, naming its first; with no tree (the file has a
    /// syntax error further on), reports the first uses.
    func report(in root: Node?, file: String, sink: DiagnosticSink) {
        guard !renamed.isEmpty else { return }
        guard let root else {
            for r in renamed {
                sink.add(SourceLocation(file: file, line: r.line, column: r.column), "duplicate key '\(r.name)': it is used again in this mapping")
            }
            return
        }
        visit(root) { mapping in
            var uses: [String: [(line: Int, column: Int)]] = [:]
            var order: [String] = []
            for key in mapping.keys {
                guard let mark = key.mark else { continue }
                let name = Self.isPlaceholder(key)
                    ? renamed.first { $0.line == mark.line && $0.column == mark.column }?.name
                    : key.scalar?.string
                guard let name else { continue }
                if uses[name] == nil { order.append(name) }
                uses[name, default: []].append((mark.line, mark.column))
            }
            for name in order {
                guard let all = uses[name], all.count > 1 else { continue }
                let first = all[0]
                for later in all.dropFirst() {
                    sink.add(SourceLocation(file: file, line: later.line, column: later.column),
                             "duplicate key '\(name)' (first at line \(first.line), column \(first.column)); give each key once")
                }
            }
        }
    }

    /// Calls `body` on every mapping of the tree that holds a placeholder.
    private func visit(_ node: Node, _ body: (Node.Mapping) -> Void) {
        switch node {
        case .mapping(let m):
            if m.keys.contains(where: Self.isPlaceholder) { body(m) }
            for (k, v) in m {
                visit(k, body)
                visit(v, body)
            }
        case .sequence(let seq):
            for item in seq { visit(item, body) }
        default:
            break
        }
    }
}
