// CYaml is libyaml as the Yams package ships and builds it (a C target of that package). SiteConfig
// depends on the Yams product, so CYaml's module is on its import path: we read libyaml's events
// ourselves (no `Yams.Node` tree, no tag resolver) and keep the one copy of libyaml Yams brings.
import CYaml
// Only for the rare plain key that has the same text as a quoted one in its mapping (see `sameKey`).
import Yams

/// Builds a `ConfigNode` tree from libyaml's parse events, and finds every duplicate key on the
/// way (each later use, naming the first; the later value is the one kept), so that a file with
/// duplicates is parsed once and still read to its other mistakes.
///
/// What it keeps of YAML is what the loader read through `Yams.compose`: an alias is the node its
/// anchor names (an anchor must come before its alias; an anchor used again names its new node);
/// `<<` is an ordinary key (Yams' compose did not merge, nor did we); a file holds one document.
struct ConfigNodeBuilder {
    /// Why a file did not parse; the diagnostics say it as the Yams-based reader did.
    enum Failure: Equatable {
        /// libyaml's scanner or parser: its problem, where it stopped.
        case syntax(problem: String, at: ConfigNode.Position)
        /// libyaml's reader (a control character, say): its problem, with no useful position.
        case reader(problem: String)
        case undefinedAlias(name: String, at: ConfigNode.Position)
        /// A second document (`---`) after the first.
        case anotherDocument(at: ConfigNode.Position)
        case outOfMemory
    }

    /// A key used again in one mapping: the later use, and the first.
    struct Duplicate: Equatable {
        let name: String
        let at: ConfigNode.Position
        let first: ConfigNode.Position
    }

    struct Parsed {
        /// The document's root; nil when the file is empty or did not parse.
        var root: ConfigNode?
        /// In file order of their later uses; found also before a syntax error stopped the parse.
        var duplicates: [Duplicate] = []
        var failure: Failure?
    }

    /// A mapping or a list not yet closed. Its items or pairs so far sit at the end of the builder's
    /// `items` or `pairs`, from `start`: one array per kind for the whole file, so that a closed
    /// container is copied once into an array of exactly its size (no array grown per mapping).
    private struct Open {
        let isMapping: Bool
        let position: ConfigNode.Position
        let anchor: String?
        let start: Int
        /// A mapping's key waiting for its value.
        var key: ConfigNode?
        /// Where each key that was used again was first used, by its text.
        var firstUses: [String: ConfigNode.Position] = [:]
        /// The place in `pairs` of each key by its text, once the mapping is long (a short one is searched).
        var index: [String: Int]?
        /// Places in `pairs` of pairs whose key was used again later: left out when the mapping
        /// closes (removing each at once made a long mapping of repeated keys quadratic).
        var dropped: Set<Int> = []
    }

    /// Past this many keys a mapping finds its keys by a dictionary rather than by looking at each.
    private static let indexedMapping = 16

    private var open: [Open] = []
    private var items: [ConfigNode] = []
    private var pairs: [ConfigNode.Pair] = []
    private var anchors: [String: ConfigNode] = [:]
    private var parsed = Parsed()

    /// Parses `text` (one YAML document) into its tree.
    static func parse(_ text: String) -> Parsed {
        var builder = ConfigNodeBuilder()
        var text = text
        return text.withUTF8 { bytes in builder.run(bytes) }
    }

    private mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        // libyaml asserts on a nil buffer; an empty one is an empty stream.
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return parsed }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return failed(.outOfMemory) }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, base, bytes.count)
        var documents = 0
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return failed(Self.failure(of: parser)) }
            defer { yaml_event_delete(&event) }
            let at = Self.position(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return parsed
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { return failed(.anotherDocument(at: at)) }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let node = ConfigNode.scalar(.init(text: text, position: at, isPlain: s.style == YAML_PLAIN_SCALAR_STYLE))
                remember(node, as: Self.string(s.anchor))
                add(node)
            case YAML_ALIAS_EVENT:
                let name = Self.string(event.data.alias.anchor) ?? ""
                guard let node = anchors[name] else { return failed(.undefinedAlias(name: name, at: at)) }
                add(node)
            case YAML_SEQUENCE_START_EVENT:
                open.append(Open(isMapping: false, position: at, anchor: Self.string(event.data.sequence_start.anchor),
                                 start: items.count))
            case YAML_MAPPING_START_EVENT:
                open.append(Open(isMapping: true, position: at, anchor: Self.string(event.data.mapping_start.anchor),
                                 start: pairs.count))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let done = open.removeLast()
                let node: ConfigNode
                if done.isMapping {
                    node = .mapping(done.dropped.isEmpty ? Array(pairs[done.start...])
                                                         : (done.start..<pairs.count).filter { !done.dropped.contains($0) }.map { pairs[$0] },
                                    at: done.position)
                    pairs.removeSubrange(done.start...)
                } else {
                    node = .sequence(Array(items[done.start...]), at: done.position)
                    items.removeSubrange(done.start...)
                }
                remember(node, as: done.anchor)
                add(node)
            default:
                break  // the stream's start, a document's end
            }
        }
    }

    private mutating func failed(_ failure: Failure) -> Parsed {
        parsed.root = nil
        parsed.failure = failure
        return parsed
    }

    /// An anchor names the node once it is complete, as in Yams (so a node cannot hold its own alias).
    private mutating func remember(_ node: ConfigNode, as anchor: String?) {
        if let anchor { anchors[anchor] = node }
    }

    /// Puts a complete node where it belongs: the root, a list's next item, a mapping's key or value.
    private mutating func add(_ node: ConfigNode) {
        guard !open.isEmpty else { parsed.root = node; return }
        let top = open.count - 1
        if !open[top].isMapping {
            items.append(node)
        } else if let key = open[top].key {
            open[top].key = nil
            Self.addPair(key, node, to: &open[top], pairs: &pairs, duplicates: &parsed.duplicates)
        } else {
            open[top].key = node
        }
    }

    /// A key used again is reported at this use, naming its first; its earlier pair goes, so the
    /// later value is read, at the later key's place (as when Yams' duplicates were renamed away).
    private static func addPair(_ key: ConfigNode, _ value: ConfigNode, to mapping: inout Open,
                                pairs: inout [ConfigNode.Pair], duplicates: inout [Duplicate]) {
        if case .scalar(let name) = key, let earlier = earlierUse(of: name, in: mapping, pairs: pairs) {
            let first = mapping.firstUses[name.text] ?? pairs[earlier].key.position
            mapping.firstUses[name.text] = first
            duplicates.append(Duplicate(name: name.text, at: name.position, first: first))
            mapping.dropped.insert(earlier)
        }
        pairs.append(ConfigNode.Pair(key: key, value: value))
        if mapping.index == nil && pairs.count - mapping.start > Self.indexedMapping {
            mapping.index = index(of: pairs, from: mapping.start, skipping: mapping.dropped)
        } else if mapping.index != nil, let text = key.scalarText {
            mapping.index?[text] = pairs.count - 1
        }
    }

    private static func earlierUse(of key: ConfigNode.Scalar, in mapping: Open, pairs: [ConfigNode.Pair]) -> Int? {
        if let index = mapping.index {
            guard let i = index[key.text] else { return nil }
            if case .scalar(let other) = pairs[i].key, sameKey(other, key) { return i }
        }
        return (mapping.start..<pairs.count).first { i in
            guard !mapping.dropped.contains(i) else { return false }
            if case .scalar(let other) = pairs[i].key { return sameKey(other, key) }
            return false  // a list or mapping as a key: never a config key (`check` says so), not compared
        }
    }

    private static func index(of pairs: [ConfigNode.Pair], from start: Int, skipping dropped: Set<Int>) -> [String: Int] {
        var index: [String: Int] = [:]
        for i in start..<pairs.count where !dropped.contains(i) { if let text = pairs[i].key.scalarText { index[text] = i } }
        return index
    }

    /// Two keys are one when their text is, as Yams had it, with one exception it made: a plain key
    /// whose text YAML reads as other than text (`1`, `true`, `~`) is not the quoted `"1"`. Asking
    /// Yams' resolver costs its regular expressions, so only that rare pair asks it.
    private static func sameKey(_ a: ConfigNode.Scalar, _ b: ConfigNode.Scalar) -> Bool {
        guard a.text == b.text else { return false }
        if a.isPlain == b.isPlain { return true }
        return Resolver.default.resolveTag(of: Node(a.text)) == .str
    }

    private static func failure(of parser: yaml_parser_t) -> Failure {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR: return .syntax(problem: problem, at: position(parser.problem_mark))
        case YAML_READER_ERROR: return .reader(problem: problem)
        default: return .outOfMemory
        }
    }

    /// libyaml counts lines and columns from 0.
    private static func position(_ mark: yaml_mark_t) -> ConfigNode.Position {
        ConfigNode.Position(line: Int32(clamping: mark.line + 1), column: Int32(clamping: mark.column + 1))
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
