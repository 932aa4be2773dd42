import Foundation

/// A config or profile file as text, or the one diagnostic that says why not: missing or
/// unreadable, or not UTF-8 (a file saved as GB18030 by a Chinese Windows editor, say).
enum SourceText {
    static func read(_ file: String, what: String) throws(ConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError([Diagnostic(file: file, line: 1, column: 1, message: "cannot read \(what) (missing or not readable)")])
        }
        if let text = String(data: data, encoding: .utf8) { return text }
        let (byte, line, column) = firstInvalidByte(data)
        throw ConfigError([Diagnostic(
            file: file, line: line, column: column,
            message: "\(what) is not UTF-8 text: byte 0x\(String(format: "%02X", byte)) here; save it as UTF-8 "
                + "(from GB18030/GBK: iconv -f GB18030 -t UTF-8)")])
    }

    /// The first byte that is not part of valid UTF-8, with its line and column (in Unicode scalars, as for YAML).
    static func firstInvalidByte(_ data: Data) -> (byte: UInt8, line: Int, column: Int) {
        let bytes = [UInt8](data)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0, line = 1, column = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s):
                offset += UTF8.width(s)
                if s == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput:
                return (0, line, column)
            case .error:
                return (offset < bytes.count ? bytes[offset] : 0, line, column)
            }
        }
    }
}
