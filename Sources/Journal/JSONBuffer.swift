/// JSON written forward into bytes, spelled as Foundation's `JSONEncoder` spells it (so a row reads
/// the same whichever wrote it): strings with `"`, `\`, U+0000-U+001F (and `/` unless the style
/// says not) escaped and everything else as UTF-8, numbers as Swift's shortest round-trip
/// description with a trailing ".0" dropped, dates as the style says (JournalJSON+Dates.swift).
/// The caller writes keys in sorted order itself; this only keeps the commas.
struct JSONBuffer {
    private(set) var bytes: [UInt8] = []
    let style: JournalJSON.Style
    /// Whether the next key or array element needs a comma before it.
    private var afterValue = false

    init(capacity: Int, style: JournalJSON.Style) {
        self.style = style
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        afterValue = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        afterValue = true
    }

    mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        afterValue = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        afterValue = true
    }

    /// Before each element of an array.
    mutating func element() {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
        afterValue = true
    }

    /// `"name":`, after a comma when a member came before. Names are ASCII identifiers (coding keys).
    mutating func key(_ name: StaticString) {
        element()
        bytes.append(UInt8(ascii: "\""))
        literal(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Bytes that are already one JSON value (an alarm written before).
    /// ASCII text that needs no escape (a date the style spelled).
    mutating func ascii(_ text: some Collection<UInt8>) {
        bytes.append(contentsOf: text)
    }

    mutating func ascii(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func splice(_ json: ArraySlice<UInt8>) {
        bytes.append(contentsOf: json)
        afterValue = true
    }

    private mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func bool(_ value: Bool) {
        literal(value ? "true" : "false")
    }

    mutating func integer(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A finite double; the caller refuses NaN and infinities (JSON has no number for them).
    mutating func number(_ value: Double) {
        bytes.append(contentsOf: value.description.utf8)
        // "1700000000.0" as "1700000000", as JSONEncoder writes it (both read back as the same Double).
        let n = bytes.count
        if n >= 2, bytes[n - 2] == UInt8(ascii: "."), bytes[n - 1] == UInt8(ascii: "0") { bytes.removeLast(2) }
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        // With slashes kept as they are, "a quote" again: already escaped, so no extra test per byte.
        let slash: UInt8 = style.escapesSlashes ? UInt8(ascii: "/") : UInt8(ascii: "\"")
        value.withUTF8 { utf8 in
            // Runs that need no escape are copied whole; only the rare escaped byte is looked at twice.
            var start = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == slash else { continue }
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                escape(b)
                start = i + 1
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private func hexDigit(_ d: UInt8) -> UInt8 { d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10 }

    private mutating func escape(_ b: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(b)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            // \u00XX in lower-case hex, as JSONEncoder writes the other control characters.
            literal("u00")
            bytes.append(hexDigit(b >> 4))
            bytes.append(hexDigit(b & 0x0F))
        }
    }
}
