import Foundation
import Modbus
public import SiteConfig

/// Turns raw registers or bits into readings and back (the simulator writes through `encode`).
public enum PointCodec {
    /// Decodes every element of `point` from the items of its span (`words.count == point.span`).
    public static func decode(_ point: PointDefinition, words: ArraySlice<UInt16>) -> [Reading] {
        let width = point.elementWidth
        var out: [Reading] = []
        out.reserveCapacity(point.count)
        var i = words.startIndex
        for _ in 0..<point.count {
            out.append(decodeElement(point, words[i..<(i + width)]))
            i += width
        }
        return out
    }

    public static func decode(_ point: PointDefinition, bits: ArraySlice<Bool>) -> [Reading] {
        bits.prefix(point.count).map { .bool($0) }
    }

    static func decodeElement(_ point: PointDefinition, _ w: ArraySlice<UInt16>) -> Reading {
        let first = w[w.startIndex]
        if let bit = point.bit { return .bool((first >> UInt16(bit)) & 1 == 1) }
        let raw: Double
        var integer: Int?
        switch point.type {
        case .bool: return .bool(first != 0)
        case .uint16:
            integer = Int(first); raw = Double(first)
        case .int16:
            integer = Int(Int16(bitPattern: first)); raw = Double(Int16(bitPattern: first))
        case .uint32:
            let v = combine(w, point.wordOrder)
            integer = Int(v); raw = Double(v)
        case .int32:
            let v = Int32(bitPattern: combine(w, point.wordOrder))
            integer = Int(v); raw = Double(v)
        case .float32:
            raw = Double(Float(bitPattern: combine(w, point.wordOrder)))
        }
        if let labels = point.labels, let code = integer { return .label(code: code, name: labels[code]) }
        return .number(raw * point.scale + point.offset)
    }

    /// Assembles 32 bits from two registers in the given byte order (A = most significant byte).
    static func combine(_ w: ArraySlice<UInt16>, _ order: WordOrder) -> UInt32 {
        let r0 = w[w.startIndex], r1 = w[w.startIndex + 1]
        switch order {
        case .abcd: return UInt32(r0) << 16 | UInt32(r1)
        case .cdab: return UInt32(r1) << 16 | UInt32(r0)
        case .badc: return UInt32(r0.byteSwapped) << 16 | UInt32(r1.byteSwapped)
        case .dcba: return UInt32(r1.byteSwapped) << 16 | UInt32(r0.byteSwapped)
        }
    }

    static func split(_ v: UInt32, _ order: WordOrder) -> [UInt16] {
        let hi = UInt16(v >> 16), lo = UInt16(v & 0xFFFF)
        switch order {
        case .abcd: return [hi, lo]
        case .cdab: return [lo, hi]
        case .badc: return [hi.byteSwapped, lo.byteSwapped]
        case .dcba: return [lo.byteSwapped, hi.byteSwapped]
        }
    }

    public enum EncodeError: Error, Sendable, CustomStringConvertible {
        case unknownLabel(String, [String])
        case notANumber(String)
        case outOfRange(Double, String)
        public var description: String {
            switch self {
            case .unknownLabel(let l, let known): "unknown label '\(l)'; known: \(known.joined(separator: ", "))"
            case .notANumber(let t): "'\(t)' is not a number or true/false"
            case .outOfRange(let v, let type): "\(v) does not fit in \(type)"
            }
        }
    }

    /// Parses text ("true", "41.5", "tamper") into a reading for `point`.
    public static func reading(_ text: String, for point: PointDefinition) throws(EncodeError) -> Reading {
        if point.isBoolean {
            switch text.lowercased() {
            case "1", "true", "on", "closed": return .bool(true)
            case "0", "false", "off", "open": return .bool(false)
            default: throw .notANumber(text)
            }
        }
        if let labels = point.labels {
            if let (code, name) = labels.first(where: { $0.value == text }) { return .label(code: code, name: name) }
            if let code = Int(text) { return .label(code: code, name: labels[code]) }
            throw .unknownLabel(text, labels.values.sorted())
        }
        guard let n = Double(text) else { throw .notANumber(text) }
        return .number(n)
    }

    /// The register words (or, for bit tables, 0/1 words) that read back as `reading`.
    /// For a bit-of-register point, `current` supplies the other bits.
    public static func encode(_ reading: Reading, for point: PointDefinition, current: UInt16 = 0) throws(EncodeError) -> [UInt16] {
        if point.table.isBitTable { return [(reading.boolValue ?? ((reading.numberValue ?? 0) != 0)) ? 1 : 0] }
        if let bit = point.bit {
            let on = reading.boolValue ?? ((reading.numberValue ?? 0) != 0)
            let mask = UInt16(1) << UInt16(bit)
            return [on ? current | mask : current & ~mask]
        }
        let value: Double
        if case .label(let code, _) = reading { value = Double(code) } else {
            value = ((reading.numberValue ?? 0) - point.offset) / point.scale
        }
        let rounded = value.rounded()
        switch point.type {
        case .bool: return [value != 0 ? 1 : 0]
        case .uint16:
            guard (0...65535).contains(rounded) else { throw .outOfRange(value, "uint16") }
            return [UInt16(rounded)]
        case .int16:
            guard (-32768...32767).contains(rounded) else { throw .outOfRange(value, "int16") }
            return [UInt16(bitPattern: Int16(rounded))]
        case .uint32:
            guard (0...4_294_967_295).contains(rounded) else { throw .outOfRange(value, "uint32") }
            return split(UInt32(rounded), point.wordOrder)
        case .int32:
            guard (-2_147_483_648...2_147_483_647).contains(rounded) else { throw .outOfRange(value, "int32") }
            return split(UInt32(bitPattern: Int32(rounded)), point.wordOrder)
        case .float32:
            guard Float(value).isFinite else { throw .outOfRange(value, "float32") }
            return split(Float(value).bitPattern, point.wordOrder)
        }
    }
}
