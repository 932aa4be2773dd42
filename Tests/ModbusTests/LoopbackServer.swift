import Foundation
import Modbus
import Synchronization

/// A real libmodbus TCP slave on a free loopback port, on its own thread, for the duration of a test.
final class LoopbackServer: Sendable {
    let port: Int
    let mapping: ModbusMapping
    private let answer: Mutex<ServerAnswerChoice>
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    enum ServerAnswerChoice: Sendable { case normal, silent, exception(UInt8) }

    init() throws {
        let mapping = try ModbusMapping(coils: 32, discreteInputs: 32, holdingRegisters: 200, inputRegisters: 200)
        let server = try ModbusTCPServer(host: "127.0.0.1", port: 0)
        self.port = server.port
        self.mapping = mapping
        answer = Mutex(.normal)
        let box = Box(server)
        let thread = Thread { [self] in
            box.value.serve(tick: .milliseconds(20), until: { stopping.load(ordering: .relaxed) }) { _, reply in
                switch answer.withLock({ $0 }) {
                case .normal: reply(.reply(mapping))
                case .silent: reply(.silence)
                case .exception(let c): reply(.exception(c))
                }
            }
            done.signal()
        }
        thread.start()
    }

    func set(_ choice: ServerAnswerChoice) { answer.withLock { $0 = choice } }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        done.wait()
    }
}

struct Box<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
