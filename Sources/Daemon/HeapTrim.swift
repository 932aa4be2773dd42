/// glibc's heap, kept close to what the daemon holds: a storm's transient buffers (JSON bodies,
/// batches, log lines) are freed, but glibc keeps the pages of every arena it made (one per
/// contending thread, up to 8 per core) until told otherwise.
enum HeapTrim {
    /// At most two arenas: the pipeline, the bus threads and the pool contend little (measured at
    /// 200 x 64 points: 41 MB anonymous with the default, 35 MB with two).
    static func limitArenas() {
        _ = watchroom_mallopt(mArenaMax, 2)
    }

    /// Gives freed pages back to the kernel, off the pipeline (it can take a few milliseconds).
    static func release() {
        Task.detached(priority: .background) { _ = watchroom_malloc_trim(0) }
    }

    /// A step this large leaves megabytes of freed buffers behind.
    static let largeStep = 1000

    /// <malloc.h>'s M_ARENA_MAX (the header is not part of Swift's Glibc module).
    private static let mArenaMax: CInt = -8
}

// glibc's malloc.h, which Swift's Glibc module leaves out: plain C functions of C ints.
@_silgen_name("mallopt") private func watchroom_mallopt(_ param: CInt, _ value: CInt) -> CInt
@_silgen_name("malloc_trim") private func watchroom_malloc_trim(_ pad: Int) -> CInt
