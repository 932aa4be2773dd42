import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every arrival of the given signals, as a stream (SIGHUP can come many times).
public func signalStream(_ signals: [Int32]) -> (AsyncStream<Int32>, AnyObject) {
    let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    let holder = SignalHolder()
    for sig in signals {
        signal(sig, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        s.setEventHandler { continuation.yield(sig) }
        s.resume()
        holder.add(s)
    }
    return (stream, holder)
}

private final class SignalHolder: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    func add(_ s: any DispatchSourceSignal) { lock.withLock { sources.append(s) } }
    deinit { for s in sources { s.cancel() } }
}

/// Waits for process signals without a C signal handler: the signals are ignored by default
/// disposition and delivered through dispatch sources.
public enum Signals {
    /// Calls `handler` once, when the first of `signals` arrives. Keep the result alive.
    public static func onFirst(of signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) -> AnyObject {
        let box = SignalSources()
        box.install(signals, handler)
        return box
    }

    /// Returns when one of `signals` arrives, with its number.
    public static func next(of signals: [Int32]) async -> Int32 {
        let box = SignalSources()
        return await withCheckedContinuation { (cont: CheckedContinuation<Int32, Never>) in
            box.install(signals) { cont.resume(returning: $0) }
        }
    }
}

private final class SignalSources: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var fired = false

    func install(_ signals: [Int32], _ onFire: @escaping @Sendable (Int32) -> Void) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [self] in
                let first = lock.withLock { () -> Bool in
                    if fired { return false }
                    fired = true
                    return true
                }
                if first {
                    onFire(sig)
                    lock.withLock { for src in sources { src.cancel() } }
                }
            }
            s.resume()
            lock.withLock { sources.append(s) }
        }
    }
}
