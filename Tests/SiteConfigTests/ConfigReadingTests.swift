import Foundation
import SiteConfig
import Testing

/// Reading the file itself: duplicate keys, encodings, and YAML's own traps.
struct ConfigReadingTests {
    @Test("every duplicate key is reported at its second use, naming the first, with the other mistakes")
    func everyDuplicateKey() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
                timeout_ms: 300
                timeout_ms: 400
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io, unit: 2}
            zones:
              - {id: Z01, type: perimetre, input: "di-1.di[0]"}
            state_dir: /tmp/other
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 5, "duplicate key 'timeout_ms'", "line 6")
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 48, "duplicate key 'unit'", "line 9")
        expectDiagnostic(d, file: f.sitePath, line: 12, column: 1, "duplicate key 'state_dir'", "line 2")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 21, "unknown type 'perimetre'")
        #expect(d.count == 4, "\(d.map(\.description))")
    }

    @Test("a key used three times is reported twice; a duplicate in a profile is reported in the profile")
    func tripleKeyAndProfile() throws {
        let profile = ioProfile + "\n  di: {table: coil, address: 8}\n"
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}, timeout_ms: 1, timeout_ms: 2, timeout_ms: 3}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            """, profiles: ["io": profile])
        #expect(d.filter { $0.message.contains("duplicate key 'timeout_ms'") }.map(\.column) == [54, 69], "\(d.map(\.description))")
        expectDiagnostic(d, file: f.path("io.yaml"), line: 6, column: 3, "duplicate key 'di'")
    }

    @Test("a file that is not UTF-8 says so, where the first bad byte is, instead of 'missing or not readable'")
    func notUTF8() throws {
        let fixture = try ConfigFixture(site: "")
        defer { fixture.remove() }
        // 东区 in GB18030, as a Chinese Windows editor saves it.
        var bytes = Data("site: {name: ".utf8)
        bytes += Data([0xB6, 0xAB, 0xC7, 0xF8])
        bytes += Data(", timezone: UTC}\nstate_dir: /tmp/x\n".utf8)
        try bytes.write(to: URL(fileURLWithPath: fixture.sitePath))
        let d = fixture.diagnostics()
        expectDiagnostic(d, file: fixture.sitePath, line: 1, column: 14, "not UTF-8")
        #expect(!d.contains { $0.message.contains("missing") })
    }

    @Test("a profile that is not UTF-8 says so too")
    func profileNotUTF8() throws {
        let fixture = try ConfigFixture(
            site: """
                site: {name: Test, timezone: UTC}
                state_dir: /tmp/watchroom-test
                buses:
                  - {id: lan, tcp: {host: 127.0.0.1}}
                devices:
                  - {id: di-1, bus: lan, unit: 1, profile: io}
                """)
        defer { fixture.remove() }
        try (Data("model: io\nsource: \"".utf8) + Data([0xFF, 0xFE]) + Data("\"\n".utf8))
            .write(to: URL(fileURLWithPath: fixture.path("io.yaml")))
        expectDiagnostic(fixture.diagnostics(), file: fixture.path("io.yaml"), line: 2, column: 10, "not UTF-8")
    }

    @Test("a missing file still says it is missing")
    func missingFile() throws {
        let fixture = try ConfigFixture(site: "")
        fixture.remove()
        let d = fixture.diagnostics()
        #expect(d.count == 1)
        #expect(d.first?.message.contains("missing or not readable") == true, "\(d)")
    }

    @Test("an unquoted DEVICE.POINT[INDEX] inside { } gets a hint to quote it")
    func unquotedIndexInFlowMapping() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - {id: Z01, type: perimeter, input: di-1.di[0]}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 8, column: 46, "quote", "\"di-1.di[0]\"")
        #expect(d.count == 1)
    }

    @Test("the same reference unquoted in block style needs no quotes and loads")
    func unquotedIndexInBlockMapping() throws {
        let (d, _) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - id: Z01
                type: perimeter
                input: di-1.di[0]
            """)
        #expect(d.isEmpty, "\(d.map(\.description))")
    }
}
