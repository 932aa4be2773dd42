import Synchronization

/// glibc's heap, kept close to what the daemon holds: a storm's transient buffers (JSON bodies,
/// batches, log lines) are freed, but glibc keeps the pages of every arena it made (one per
/// contending thread, up to 8 per core) until told otherwise.
public enum HeapTrim {
    /// At most two arenas: the pipeline, the bus threads and the pool contend little (measured at
    /// 200 x 64 points: 41 MB anonymous with the default, 35 MB with two). And a fixed mmap
    /// threshold: glibc raises its own each time a large block is freed, so after the first storm
    /// every batch of thousands of events (megabytes) came from the heap, interleaved with the
    /// alarms that stay, and the pages could not go back; with 128 kB fixed such a batch gets
    /// pages of its own, returned when it is freed (measured after a 5,000-zone storm: 34 MB
    /// anonymous before, 24 MB after).
    public static func configure() {
        _ = watchroom_mallopt(mArenaMax, 2)
        _ = watchroom_mallopt(mMmapThreshold, 128 * 1024)
    }

    /// Gives freed pages back to the kernel, off the pipeline (it can take a few milliseconds).
    static func release() {
        Task.detached(priority: .background) { _ = watchroom_malloc_trim(0) }
    }

    private static let trimPending = Atomic<Bool>(false)

    /// Gives freed pages back a second after a large step, once what follows the commit (the
    /// event bus's fan-out, the log lines, the board) has freed its copies too. Steps within
    /// that second share one trim.
    static func releaseWhenSettled() {
        guard trimPending.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        Task.detached(priority: .background) {
            try? await Task.sleep(for: .seconds(1))
            trimPending.store(false, ordering: .relaxed)
            _ = watchroom_malloc_trim(0)
        }
    }

    /// A step this large leaves megabytes of freed buffers behind (a storm comes in several steps).
    static let largeStep = 256

    /// <malloc.h>'s M_ARENA_MAX and M_MMAP_THRESHOLD (the header is not part of Swift's Glibc module).
    private static let mArenaMax: CInt = -8
    private static let mMmapThreshold: CInt = -3
}

// glibc's malloc.h, which Swift's Glibc module leaves out: plain C functions of C ints.
@_silgen_name("mallopt") private func watchroom_mallopt(_ param: CInt, _ value: CInt) -> CInt
@_silgen_name("malloc_trim") private func watchroom_malloc_trim(_ pad: Int) -> CInt
