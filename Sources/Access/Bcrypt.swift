/// bcrypt password hashes (Provos and Mazières, 1999) in the modular crypt format
/// `$2b$12$` + 22 characters of salt + 31 of hash, as htpasswd -B, Python's bcrypt and
/// Prometheus' web config make them.
///
/// `$2a$`, `$2b$` and `$2y$` hash alike here: the key is the password's UTF-8 bytes and a NUL,
/// cut at 72 bytes (bcrypt never reads further: two passwords alike in their first 72 bytes
/// are the same password). `$2b$` is what OpenBSD fixed `$2a$` to mean; `$2y$` is PHP's name for it.
public enum Bcrypt {
    /// What `hash-password` uses unless told otherwise (about a quarter second in a release build).
    public static let defaultCost = 12
    public static let costs = 4...31
    /// bcrypt reads at most this many bytes of a password (its NUL included).
    public static let maximumKeyBytes = 72

    /// A hash string that cannot be read.
    public struct MalformedHash: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A new `$2b$` hash of `password` with a fresh random salt.
    public static func hash(password: String, cost: Int = defaultCost) -> String {
        var random = SystemRandomNumberGenerator()  // the kernel's getrandom(2): fit for salts
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        return hash(password: Array(password.utf8), salt: salt, cost: cost, version: "2b")
    }

    /// The hash of `password` with this salt (16 bytes); cost in `costs`, version 2a, 2b or 2y.
    public static func hash(password: [UInt8], salt: [UInt8], cost: Int, version: String = "2b") -> String {
        precondition(costs.contains(cost), "bcrypt cost \(cost) is outside 4...31")
        precondition(salt.count == 16, "a bcrypt salt is 16 bytes")
        let digest = eksBlowfish(key: key(password), salt: salt, cost: cost)
        let costText = cost < 10 ? "0\(cost)" : "\(cost)"
        return "$\(version)$\(costText)$" + BcryptBase64.encode(salt) + BcryptBase64.encode(Array(digest.prefix(23)))
    }

    /// Whether `password` is the one `hash` was made from. The comparison takes the same time
    /// wherever the two differ. A hash that cannot be read matches no password.
    public static func verify(password: String, hash: String) -> Bool {
        guard let parsed = try? Parsed(hash) else { return false }
        let made = self.hash(password: Array(password.utf8), salt: parsed.salt, cost: parsed.cost, version: parsed.version)
        return constantTimeEqual(Array(made.utf8.suffix(31)), Array(parsed.checksum.utf8))
    }

    /// A hash string taken apart: version, cost, salt bytes and the 31 characters of hash.
    public struct Parsed: Sendable {
        public let version: String
        public let cost: Int
        public let salt: [UInt8]
        public let checksum: String

        public init(_ text: String) throws(MalformedHash) {
            let parts = text.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0].isEmpty, ["2a", "2b", "2y"].contains(parts[1]) else {
                throw MalformedHash(description: "not a bcrypt hash: it must start with $2a$, $2b$ or $2y$")
            }
            guard parts[2].count == 2, let cost = Int(parts[2]), Bcrypt.costs.contains(cost) else {
                throw MalformedHash(description: "bcrypt cost '\(parts[2])' is not two digits from 04 to 31")
            }
            let rest = String(parts[3])
            guard rest.utf8.count == 53, let salt = BcryptBase64.decode(String(rest.prefix(22)), count: 16),
                  BcryptBase64.decode(String(rest.suffix(31)), count: 23) != nil
            else { throw MalformedHash(description: "a bcrypt hash ends in 22 characters of salt and 31 of hash (./A-Za-z0-9)") }
            version = String(parts[1])
            self.cost = cost
            self.salt = salt
            checksum = String(rest.suffix(31))
        }
    }

    /// The password's bytes with the terminating NUL, cut at 72 bytes.
    static func key(_ password: [UInt8]) -> [UInt8] { Array((password + [0]).prefix(maximumKeyBytes)) }

    /// EksBlowfishSetup followed by 64 encryptions of "OrpheanBeholderScryDoubt": 24 bytes.
    static func eksBlowfish(key: [UInt8], salt: [UInt8], cost: Int) -> [UInt8] {
        var state = Blowfish()
        state.expand(key: key, salt: salt)
        for _ in 0..<(1 << cost) {
            state.expand(key: key, salt: nil)
            state.expand(key: salt, salt: nil)
        }
        var text: [UInt32] = [0x4f72_7068, 0x6561_6e42, 0x6568_6f6c, 0x6465_7253, 0x6372_7944, 0x6f75_6274]
        for _ in 0..<64 {
            for i in stride(from: 0, to: 6, by: 2) {
                var l = text[i], r = text[i + 1]
                state.encrypt(&l, &r)
                text[i] = l
                text[i + 1] = r
            }
        }
        return text.flatMap { w in [UInt8(w >> 24), UInt8((w >> 16) & 0xff), UInt8((w >> 8) & 0xff), UInt8(w & 0xff)] }
    }

    /// Equal length and bytes, looking at every byte whatever the first difference.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// bcrypt's own base64: the alphabet `./A-Za-z0-9`, no padding.
enum BcryptBase64 {
    static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    static let values: [Int8] = {
        var v = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { v[Int(c)] = Int8(i) }
        return v
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if i + 1 < bytes.count { out.append(alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)]) }
            if i + 2 < bytes.count { out.append(alphabet[Int(b2 & 0x3f)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first `count` bytes the text encodes (the last character's spare bits are ignored), or nil.
    static func decode(_ text: String, count: Int) -> [UInt8]? {
        var bits: UInt32 = 0, held = 0
        var out: [UInt8] = []
        for c in text.utf8 {
            let v = values[Int(c)]
            guard v >= 0 else { return nil }
            bits = (bits << 6) | UInt32(v)
            held += 6
            if held >= 8 {
                held -= 8
                out.append(UInt8((bits >> UInt32(held)) & 0xff))
            }
        }
        guard out.count >= count else { return nil }
        return Array(out.prefix(count))
    }
}
