/// The Blowfish cipher state that bcrypt's expensive key schedule (EksBlowfish) works on: 18
/// subkeys and four 256-entry S-boxes, starting from the digits of pi.
struct Blowfish {
    var p: [UInt32]
    var s: [UInt32]

    init() {
        p = BlowfishPi.p
        s = BlowfishPi.s
    }

    /// Encrypts one 64-bit block, as two big-endian halves.
    @inline(__always)
    func encrypt(_ l: inout UInt32, _ r: inout UInt32) {
        p.withUnsafeBufferPointer { p in
            s.withUnsafeBufferPointer { s in Self.encrypt(&l, &r, p, s) }
        }
    }

    @inline(__always)
    static func encrypt(_ l: inout UInt32, _ r: inout UInt32, _ p: UnsafeBufferPointer<UInt32>, _ s: UnsafeBufferPointer<UInt32>) {
        var xl = l, xr = r
        for i in 0..<16 {
            xl ^= p[i]
            let a = Int(xl >> 24), b = Int((xl >> 16) & 0xff), c = Int((xl >> 8) & 0xff), d = Int(xl & 0xff)
            xr ^= ((s[a] &+ s[256 + b]) ^ s[512 + c]) &+ s[768 + d]
            swap(&xl, &xr)
        }
        swap(&xl, &xr)
        xr ^= p[16]
        xl ^= p[17]
        l = xl
        r = xr
    }

    /// The next 32 bits of `data`, read big-endian and cyclically from `position`.
    @inline(__always)
    static func word(_ data: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> UInt32 {
        var w: UInt32 = 0
        for _ in 0..<4 {
            w = (w << 8) | UInt32(data[position])
            position = position + 1 == data.count ? 0 : position + 1
        }
        return w
    }

    /// Blowfish's key schedule, with bcrypt's salt mixed into each block before it is encrypted
    /// (no salt: the plain schedule of the key). `key` is never empty (bcrypt keys end in a NUL).
    mutating func expand(key: [UInt8], salt: [UInt8]?) {
        key.withUnsafeBufferPointer { key in
            var k = 0
            for i in 0..<18 { p[i] ^= Self.word(key, &k) }
        }
        let saltBytes = salt ?? []
        saltBytes.withUnsafeBufferPointer { saltBuffer in
            var si = 0
            var l: UInt32 = 0, r: UInt32 = 0
            p.withUnsafeMutableBufferPointer { p in
                s.withUnsafeMutableBufferPointer { s in
                    let pr = UnsafeBufferPointer(p), sr = UnsafeBufferPointer(s)
                    for i in stride(from: 0, to: 18, by: 2) {
                        if salt != nil { l ^= Self.word(saltBuffer, &si); r ^= Self.word(saltBuffer, &si) }
                        Self.encrypt(&l, &r, pr, sr)
                        p[i] = l
                        p[i + 1] = r
                    }
                    for i in stride(from: 0, to: 1024, by: 2) {
                        if salt != nil { l ^= Self.word(saltBuffer, &si); r ^= Self.word(saltBuffer, &si) }
                        Self.encrypt(&l, &r, pr, sr)
                        s[i] = l
                        s[i + 1] = r
                    }
                }
            }
        }
    }
}
