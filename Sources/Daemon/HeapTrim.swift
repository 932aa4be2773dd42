import CMalloc
import Foundation
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
    /// anonymous before, 24 MB after). Called first thing in `watchroomd run`, before the config
    /// is read (the few threads already started keep the arenas they have).
    public static func configure() {
        _ = mallopt(M_ARENA_MAX, 2)
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    }

    /// Gives freed pages back to the kernel on a thread of its own: the trim walks and locks every
    /// arena for milliseconds, which must not hold one of the concurrency pool's two threads.
    static func release() {
        Thread.detachNewThread { _ = malloc_trim(0) }
    }

    private static let trimPending = Atomic<Bool>(false)

    /// Gives freed pages back a second after a large step, once what follows the commit (the
    /// event bus's fan-out, the log lines, the board) has freed its copies too. Steps within
    /// that second share one trim.
    static func releaseWhenSettled() {
        guard trimPending.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 1)
            _ = malloc_trim(0)
            trimPending.store(false, ordering: .relaxed)
        }
    }

    /// A step this large leaves megabytes of freed buffers behind (a storm comes in several steps).
    static let largeStep = 256
}
