internal import CModbus

/// The name of the calling thread as /proc, ps, top and gdb show it. Foundation's `Thread.name`
/// does not reach the kernel on Linux.
public enum ThreadName {
    /// Linux keeps 15 bytes of a thread name; a longer name is cut at a character boundary.
    public static func set(_ name: String) {
        var cut = ""
        for ch in name {
            guard cut.utf8.count + String(ch).utf8.count <= 15 else { break }
            cut.append(ch)
        }
        _ = _watchroom_set_thread_name(cut)
    }
}
