import Foundation

/// The uplink's broker password, read from its `password_file` at each connection (so a rotated
/// password needs no restart). The text is never logged; errors name the file only.
enum UplinkSecrets {
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// The file's text without its trailing newline.
    static func password(file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            let why = FileManager.default.fileExists(atPath: file) ? "is not readable by this user" : "does not exist"
            throw Unreadable(description: "uplink password_file \(file) \(why); it holds the broker password of the uplink's username")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw Unreadable(description: "uplink password_file \(file) is empty") }
        return text
    }
}
