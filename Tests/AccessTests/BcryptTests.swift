import Access
import Foundation
import Testing

/// Runs /usr/bin/python3 with Python's bcrypt (an independent implementation; `make test-deps`
/// installs python3-bcrypt), passing text on stdin; its stdout, trimmed.
private func python(_ script: String, input: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = ["-c", script]
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    p.standardInput = stdin
    p.standardOutput = stdout
    p.standardError = stderr
    try p.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "python3 bcrypt failed: \(String(decoding: err, as: UTF8.self))"])
    }
    return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

struct BcryptTests {
    /// OpenBSD's and John the Ripper's published vectors, and ones Python's bcrypt made once
    /// (over 72 bytes, UTF-8, $2y$).
    static let vectors: [(password: String, hash: String)] = [
        ("", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
        ("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
        ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
         "$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"),
        ("值班员张三", "$2y$04$......................RxRvOArLYzJPyi4zBnzZFSSHI7GOk3q"),
    ]

    @Test("known bcrypt vectors verify, and a wrong password does not")
    func knownVectors() {
        for v in Self.vectors {
            #expect(Bcrypt.verify(password: v.password, hash: v.hash), "\(v.hash)")
            #expect(!Bcrypt.verify(password: v.password + "x", hash: v.hash) || v.password.utf8.count >= 72, "\(v.hash)")
        }
        #expect(!Bcrypt.verify(password: "U*V", hash: Self.vectors[1].hash))
    }

    @Test("hashing with the vector's salt reproduces the vector exactly")
    func reproducesVectors() throws {
        for v in Self.vectors {
            let parsed = try Bcrypt.Parsed(v.hash)
            #expect(Bcrypt.hash(password: Array(v.password.utf8), salt: parsed.salt, cost: parsed.cost, version: parsed.version) == v.hash)
        }
    }

    @Test("only the first 72 bytes of a password count, as in every bcrypt")
    func seventyTwoBytes() {
        let long = String(repeating: "a", count: 72)
        let hash = Bcrypt.hash(password: long, cost: 4)
        #expect(Bcrypt.verify(password: long + "anything", hash: hash))
        #expect(!Bcrypt.verify(password: String(long.dropLast()), hash: hash))
    }

    @Test("hashes made by Python's bcrypt verify here")
    func pythonHashesVerify() throws {
        for password in ["correct horse", "值班 password 密码", "", String(repeating: "z", count: 80)] {
            let hash = try python("import bcrypt,sys; print(bcrypt.hashpw(sys.stdin.buffer.read(), bcrypt.gensalt(4)).decode())", input: password)
            #expect(hash.hasPrefix("$2b$04$"))
            #expect(Bcrypt.verify(password: password, hash: hash), "\(hash)")
            #expect(!Bcrypt.verify(password: password + "!", hash: hash) || password.utf8.count >= 72)
        }
    }

    @Test("hashes made here verify in Python's bcrypt, and a wrong password fails there")
    func ourHashesVerifyInPython() throws {
        let password = "夜班 night-shift 2026"
        let hash = Bcrypt.hash(password: password, cost: 4)
        #expect(hash.hasPrefix("$2b$04$") && hash.utf8.count == 60)
        let script = "import bcrypt,sys; h=sys.argv[1].encode() if len(sys.argv)>1 else None; pw,h=sys.stdin.buffer.read().split(b'\\n',1); print(bcrypt.checkpw(pw,h))"
        #expect(try python(script, input: password + "\n" + hash) == "True")
        #expect(try python(script, input: password + "?\n" + hash) == "False")
    }

    @Test("each hash gets its own random salt")
    func randomSalt() {
        let a = Bcrypt.hash(password: "same", cost: 4), b = Bcrypt.hash(password: "same", cost: 4)
        #expect(a != b)
        #expect(Bcrypt.verify(password: "same", hash: a) && Bcrypt.verify(password: "same", hash: b))
    }

    @Test("a malformed hash is refused by name and matches no password")
    func malformed() {
        for bad in ["", "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "$2b$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                    "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!",
                    "plain-text-password"] {
            #expect(throws: Bcrypt.MalformedHash.self) { try Bcrypt.Parsed(bad) }
            #expect(!Bcrypt.verify(password: "U*U", hash: bad))
        }
    }
}
