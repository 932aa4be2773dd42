/// URLs as they may appear in logs, errors and status: never with a credential in them.
///
/// Chat bots carry their key in the query (WeCom `?key=`, DingTalk `?access_token=`) or in the
/// path (Feishu `/open-apis/bot/v2/hook/TOKEN`, Slack-style `/services/T/B/TOKEN`), and a URL
/// may carry `user:password@`. Every place that prints a URL goes through this one function,
/// so a target's secret never reaches a terminal, the journal or a log collector.
public enum Redaction {
    /// The URL with its user info, query values and token-like path segments replaced by `***`.
    /// Works on text that is not a valid URL too (a bad port, a typo), which is when it is echoed most.
    public static func url(_ text: String) -> String {
        var rest = Substring(text)
        var out = ""
        if let scheme = rest.firstRange(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
        }
        // Authority: drop user info.
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = "***@" + authority[authority.index(after: at)...] }
        out += authority
        rest = rest[authorityEnd...]
        // Fragment: never needed to find a target.
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var path = rest, query: Substring?
        if let q = rest.firstIndex(of: "?") {
            path = rest[..<q]
            query = rest[rest.index(after: q)...]
        }
        out += path.split(separator: "/", omittingEmptySubsequences: false)
            .map { looksLikeToken($0) ? "***" : String($0) }
            .joined(separator: "/")
        if let query {
            out += "?" + query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
                guard let eq = pair.firstIndex(of: "=") else { return pair.isEmpty ? "" : "***" }
                return pair[...eq] + "***"
            }.joined(separator: "&")
        }
        return out
    }

    /// A path segment that is a key rather than a name: long and mixed letters and digits
    /// (Feishu's hook ids are UUIDs, Slack's tokens 24 characters), or a long run of hex.
    static func looksLikeToken(_ segment: Substring) -> Bool {
        guard segment.count >= 16 else { return false }
        let digits = segment.contains { $0.isNumber }
        let letters = segment.contains { $0.isLetter }
        return digits && letters || segment.allSatisfy(\.isHexDigit)
    }
}
