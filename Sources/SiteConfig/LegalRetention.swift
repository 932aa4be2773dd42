/// The legal floor for keeping records: 保安服务管理条例 (Regulations on the Administration of
/// Security Services) Art. 25 asks that video and alarm records be kept at least 30 days. The site
/// rule's two weeks for recordings stays the hard floor of a config; below 30 days is a warning.
/// The journal's alarm records are never kept less (the config refuses it and pruning clamps to it).
public enum LegalRetention {
    /// Days video and alarm records are kept at least.
    public static let days = 30
    /// The article, as warnings name it.
    public static let citation = "保安服务管理条例 Art. 25"
}
