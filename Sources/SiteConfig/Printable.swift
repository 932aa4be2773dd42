/// Text from outside (an operator's note, a user or zone name, a device's reply) made safe to
/// print on one line of a terminal or a log.
///
/// A newline would forge a well-formed log line; ESC, OSC, CR and BS sequences would redraw an
/// operator's screen (one note cleared it and printed a green "ALL CLEAR"). Every human-facing
/// output escapes them; the journal keeps the text exactly as entered.
public enum Printable {
    /// `text` with C0 and C1 control characters, DEL, the Unicode line and paragraph separators and
    /// bidirectional overrides written as visible escapes (`\n`, `\r`, `\t`, `\e`, `\u{9B}`).
    /// Printable Unicode (Chinese names) is kept as it is.
    public static func line(_ text: String) -> String { escape(text, keeping: []) }

    /// Like `line`, but keeps newlines (and tabs) for multi-line text such as a handover report
    /// or a chat message; every other control character is escaped.
    public static func block(_ text: String) -> String { escape(text, keeping: ["\n", "\t"]) }

    private static func escape(_ text: String, keeping kept: Set<Unicode.Scalar>) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) && !kept.contains($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            guard needsEscape(s), !kept.contains(s) else { out.append(s); continue }
            let visible = switch s {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case "\u{1B}": "\\e"
            default: "\\u{\(String(s.value, radix: 16, uppercase: true))}"
            }
            out.append(contentsOf: visible.unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        // Bidirectional overrides can make a line read differently from what it says.
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
