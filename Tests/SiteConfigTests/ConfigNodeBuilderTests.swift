@testable import SiteConfig
import Testing

/// The node tree libyaml's events build, below the loader: structure, aliases, and which keys count
/// as the same key.
struct ConfigNodeBuilderTests {
    private func keys(_ node: ConfigNode?) -> [String] { node?.pairs?.map { $0.key.scalarText ?? "?" } ?? [] }

    /// A compact spelling of a tree, to compare structure at a glance.
    private func shape(_ node: ConfigNode) -> String {
        switch node {
        case .scalar(let s): s.text
        case .sequence(let items, _): "[" + items.map(shape).joined(separator: ",") + "]"
        case .mapping(let pairs, _): "{" + pairs.map { shape($0.key) + ":" + shape($0.value) }.joined(separator: ",") + "}"
        }
    }

    @Test("lists and mappings nested in each other keep their items, in order, with their positions")
    func nesting() throws {
        let parsed = ConfigNodeBuilder.parse("a: [1, {b: [2, 3], c: {}}, 4]\nd:\n  - e: 5\n    f: []\n  - 6\ng: 7\n")
        let root = try #require(parsed.root)
        #expect(shape(root) == "{a:[1,{b:[2,3],c:{}},4],d:[{e:5,f:[]},6],g:7}")
        #expect(parsed.failure == nil && parsed.duplicates.isEmpty)
        #expect(root["d"]?.sequence?.first?.position == ConfigNode.Position(line: 3, column: 5))
        #expect(root["g"]?.position == ConfigNode.Position(line: 6, column: 4))
    }

    @Test("an anchor used again names its new node; an alias inside its own anchor's node is undefined")
    func anchors() throws {
        let parsed = ConfigNodeBuilder.parse("a: &x 1\nb: *x\nc: &x {k: 2}\nd: *x\n")
        #expect(parsed.root.map(shape) == "{a:1,b:1,c:{k:2},d:{k:2}}")
        let own = ConfigNodeBuilder.parse("a: &x {b: *x}\n")
        #expect(own.failure == .undefinedAlias(name: "x", at: ConfigNode.Position(line: 1, column: 11)))
        #expect(own.root == nil)
    }

    @Test("a quoted key is the plain one of the same text, except when YAML reads the plain one as other than text")
    func quotedAndPlainKeys() throws {
        let parsed = ConfigNodeBuilder.parse("a: 1\n\"a\": 2\n1: x\n\"1\": y\ntrue: p\n'true': q\n")
        #expect(keys(parsed.root) == ["a", "1", "1", "true", "true"])
        #expect(parsed.root?["a"]?.scalarText == "2")
        #expect(parsed.duplicates == [.init(name: "a", at: .init(line: 2, column: 1), first: .init(line: 1, column: 1))])
    }

    @Test("in a long mapping every duplicate is found, each naming the first use, the last value kept in its place")
    func longMapping() throws {
        var text = ""
        for i in 0..<40 { text += "k\(i): \(i)\n" }
        text += "k5: again\nk30: again\nk5: third\n"
        let parsed = ConfigNodeBuilder.parse(text)
        let expectedKeys = (0..<40).filter { $0 != 5 && $0 != 30 }.map { "k\($0)" } + ["k30", "k5"]
        #expect(keys(parsed.root) == expectedKeys)
        #expect(parsed.root?["k5"]?.scalarText == "third")
        #expect(parsed.duplicates == [
            .init(name: "k5", at: .init(line: 41, column: 1), first: .init(line: 6, column: 1)),
            .init(name: "k30", at: .init(line: 42, column: 1), first: .init(line: 31, column: 1)),
            .init(name: "k5", at: .init(line: 43, column: 1), first: .init(line: 6, column: 1)),
        ])
    }

    @Test("a plain null is null; a quoted or block one is text")
    func nulls() throws {
        let root = try #require(ConfigNodeBuilder.parse("a: ~\nb:\nc: null\nd: '~'\ne: \"\"\nf: |\n  null\n").root)
        #expect(["a", "b", "c", "d", "e", "f"].map { root[$0]?.isNull } == [true, true, true, false, false, false])
    }

    @Test("a duplicate before a syntax error is still reported, with the error at libyaml's mark plus one")
    func duplicateThenSyntaxError() {
        let parsed = ConfigNodeBuilder.parse("a: 1\na: 2\nb: [1, 2\n")
        #expect(parsed.duplicates.map(\.name) == ["a"])
        #expect(parsed.root == nil)
        guard case .syntax(_, let at) = parsed.failure else { Issue.record("\(String(describing: parsed.failure))"); return }
        #expect(at == ConfigNode.Position(line: 4, column: 1))
    }
}
