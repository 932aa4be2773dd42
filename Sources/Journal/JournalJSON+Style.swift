import Foundation
import SiteConfig

extension JournalJSON {
    /// How dates and slashes are spelled: as the journal's `JSONEncoder` did, or as the uplink's.
    public struct Style: Sendable {
        enum Dates: Sendable {
            /// `JSONEncoder.DateEncodingStrategy.secondsSince1970`.
            case secondsSince1970
            /// `JSONEncoder.DateEncodingStrategy.iso8601`: UTC to the second, the fraction cut off.
            case iso8601
        }
        let dates: Dates
        let escapesSlashes: Bool

        /// The journal's rows: seconds since 1970, "/" escaped (`Journal.encoder`).
        public static let journal = Style(dates: .secondsSince1970, escapesSlashes: true)
        /// The uplink's MQTT payloads: ISO 8601 in UTC, "/" as it is (`UplinkMessages`).
        public static let uplink = Style(dates: .iso8601, escapesSlashes: false)
    }

    /// A time JSON cannot hold (NaN or infinite seconds): refused, as JSONEncoder refused it, so a
    /// broken clock value never becomes a row the journal cannot read back.
    public struct UnwritableTime: Error, CustomStringConvertible {
        public let field: String
        public let seconds: Double
        public var description: String {
            "journal: the time in `\(field)` is \(seconds) seconds since 1970, which JSON cannot hold; nothing of this step was written"
        }
    }
}

extension JSONBuffer {
    mutating func date(_ date: Date, _ field: String) throws {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { throw JournalJSON.UnwritableTime(field: field, seconds: seconds) }
        switch style.dates {
        case .secondsSince1970: number(seconds)
        case .iso8601:
            ascii(UInt8(ascii: "\""))
            if !iso8601(seconds: seconds) {
                // Before the Gregorian calendar began (Foundation counts Julian days there) or past
                // year 9999: Foundation's own spelling, as JSONEncoder's. Never a real alarm's time.
                ascii(date.formatted(.iso8601).utf8)
            }
            ascii(UInt8(ascii: "\""))
        }
    }

    /// "2026-12-01T17:13:24Z" for seconds since 1970 from 1582-10-15 to 9999-12-31, the fraction
    /// cut off toward the past as ISO8601DateFormatter does (days to the civil calendar by
    /// `SiteClock.civil`); false, and nothing written, outside those years.
    private mutating func iso8601(seconds: Double) -> Bool {
        guard seconds >= -12_219_292_800, seconds < 253_402_300_800 else { return false }
        let whole = Int64(seconds.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        let (y, m, d) = SiteClock.civil(fromDays: Int(days))
        let year = Int64(y), month = Int64(m), day = Int64(d)
        func digits(_ value: Int64, _ width: Int, then separator: Unicode.Scalar) {
            var unit: Int64 = width == 4 ? 1_000 : 10
            while unit > 0 {
                ascii(UInt8(ascii: "0") + UInt8(value / unit % 10))
                unit /= 10
            }
            ascii(UInt8(ascii: separator))
        }
        digits(year, 4, then: "-")
        digits(month, 2, then: "-")
        digits(day, 2, then: "T")
        digits(secondOfDay / 3_600, 2, then: ":")
        digits(secondOfDay / 60 % 60, 2, then: ":")
        digits(secondOfDay % 60, 2, then: "Z")
        return true
    }
}
