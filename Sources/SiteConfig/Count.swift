/// A number with its noun, singular for one: "1 request", "3 requests", "1 equipment point".
public enum Count {
    /// "`n` `singular`" for one, else "`n` `plural`" (the singular with an s unless given).
    public static func of(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}
