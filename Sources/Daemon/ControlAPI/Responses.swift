import Control
import Foundation
import Hummingbird
import NIOCore

/// A 200 with `value` as the API's JSON (snake_case keys, ISO 8601 times).
func json(_ value: some Encodable) throws -> Response {
    let data = try ControlJSON.encoder.encode(value)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// The documented error body `{error, code}` with `status`.
func error(_ status: HTTPResponse.Status, _ message: String, _ code: String) -> Response {
    let data = (try? ControlJSON.encoder.encode(ErrorBody(error: message, code: code))) ?? Data()
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// Request bodies: at most 1 MiB of JSON; an empty body is the request with nothing filled in.
enum RequestBody {
    static let limit = 1 << 20

    /// `T` from the body, `empty` when there is none; 400 (`invalid`) when it is not `T`'s JSON.
    /// `what` names the request in the message ("command", "request").
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, empty: T, takenBy what: String) async throws -> T {
        let buffer = try await request.body.collect(upTo: limit)
        if buffer.readableBytes == 0 { return empty }
        do { return try ControlJSON.decoder.decode(T.self, from: Data(buffer.readableBytesView)) } catch {
            throw HTTPError(.badRequest, message: "the request body is not the JSON this \(what) takes: \(error)")
        }
    }
}

/// A journal read failed while answering: the answer is a 500 that says so, never a made-up value.
struct JournalUnreadable: Error, CustomStringConvertible {
    let reading: String
    let underlying: any Error
    var description: String { "the journal cannot be read (\(reading)): \(underlying)" }
}
