/// One node of a config or profile file as the loader reads it: a scalar's text with where it
/// starts, a list, or a mapping's key/value pairs in file order.
///
/// Compact on purpose: a 12,800-zone site holds some 70,000 nodes while it loads. A node is a
/// value (no class instance per node, no tag: the loader reads every scalar as its text, quoted or
/// not), a short scalar's text sits inside its `String`, and an alias shares its anchor's arrays.
enum ConfigNode: Sendable {
    case scalar(Scalar)
    case sequence([ConfigNode], at: Position)
    case mapping([Pair], at: Position)

    /// Where a node starts: line and column from 1, as diagnostics count them (columns in Unicode
    /// scalars, as libyaml counts them).
    struct Position: Sendable, Hashable {
        let line: Int32
        let column: Int32
    }

    struct Scalar: Sendable {
        let text: String
        let position: Position
        /// Neither quoted nor a block scalar: only such a `~`, `null` or nothing is YAML's null.
        let isPlain: Bool
    }

    struct Pair: Sendable {
        let key: ConfigNode
        let value: ConfigNode
    }

    var position: Position {
        switch self {
        case .scalar(let s): s.position
        case .sequence(_, let at), .mapping(_, let at): at
        }
    }

    /// The text of a scalar (quoted or plain alike); nil for a list or a mapping.
    var scalarText: String? {
        if case .scalar(let s) = self { return s.text }
        return nil
    }

    var sequence: [ConfigNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }

    var pairs: [Pair]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    /// A plain `~`, `null`, `Null`, `NULL` or nothing, as Yams read YAML's null: a quoted `"~"` or
    /// `''` is text.
    var isNull: Bool {
        guard case .scalar(let s) = self, s.isPlain else { return false }
        switch s.text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// The value of the text key `key` of a mapping (a duplicate key is read once already: see
    /// `ConfigNodeBuilder`); nil for a scalar or a list.
    subscript(key: String) -> ConfigNode? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.first { $0.key.scalarText == key }?.value
    }
}
