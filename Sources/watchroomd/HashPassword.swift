import Access
import ArgumentParser
import Foundation

/// `watchroomd hash-password`: a bcrypt hash for a user's `password_hash`, from a password read on
/// stdin (never an argument: arguments are visible to every process on the machine).
struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Read a password on stdin and print its bcrypt hash for users[].password_hash.",
        discussion: "Only the first line is read (its line ending dropped); bcrypt uses at most 72 bytes of it.")
    @Option(name: .long, help: "The bcrypt cost, 4 to 31: each step doubles the work (default 12).")
    var cost = Bcrypt.defaultCost

    func validate() throws {
        guard Bcrypt.costs.contains(cost) else { throw ValidationError("--cost must be from 4 to 31, not \(cost)") }
    }

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            FileHandle.standardError.write(Data("watchroomd: no password on stdin (echo -n ... | watchroomd hash-password)\n".utf8))
            throw ExitCode(2)
        }
        if line.utf8.count > Bcrypt.maximumKeyBytes {
            FileHandle.standardError.write(Data("watchroomd: warning: bcrypt uses only the first \(Bcrypt.maximumKeyBytes) bytes of a password (this one has \(line.utf8.count))\n".utf8))
        }
        print(Bcrypt.hash(password: line, cost: cost))
    }
}
