import Foundation

/// A recurring schedule in every form Navidrome's scheduler accepts (robfig/cron v3 with
/// optional seconds, descriptors and crontab(5) random `a~b` fields):
/// - 5 fields (`min hour dom month dow`) or 6 with seconds first;
/// - `*`, `?`, lists, ranges, steps (`*/5`, `1-30/2`, `5/10`), month and weekday names;
/// - `@every <Go duration>` (under 1 s becomes 1 s), `@hourly`, `@daily`, `@midnight`,
///   `@weekly`, `@monthly`, `@yearly`, `@annually`; a bare Go duration (`"30s"`) means `@every`;
/// - a `TZ=<zone>` or `CRON_TZ=<zone>` prefix; otherwise the host's local time zone.
public struct CronSchedule: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case every(seconds: Int64)
        case fields(CronFields)
    }

    let kind: Kind
    let timeZone: TimeZone

    /// Parses `expression`, throwing a ``HostServiceError`` that names what is wrong.
    public init(_ expression: String, timeZone defaultZone: TimeZone = .current) throws {
        var spec = expression.trimmingCharacters(in: .whitespaces)
        guard !spec.isEmpty else { throw HostServiceError("invalid cron expression: empty") }
        if GoDuration.parse(spec) != nil { spec = "@every \(spec)" }
        var zone = defaultZone
        for prefix in ["TZ=", "CRON_TZ="] where spec.hasPrefix(prefix) {
            guard let space = spec.firstIndex(of: " ") else {
                throw HostServiceError("invalid cron expression \"\(expression)\": missing schedule after the time zone")
            }
            let name = String(spec[spec.index(spec.startIndex, offsetBy: prefix.count)..<space])
            guard let tz = TimeZone(identifier: name) else {
                throw HostServiceError("invalid cron expression \"\(expression)\": unknown time zone \"\(name)\"")
            }
            zone = tz
            spec = spec[space...].trimmingCharacters(in: .whitespaces)
        }
        timeZone = zone
        if spec.hasPrefix("@") {
            if spec.contains("~") {
                throw HostServiceError("invalid cron expression \"\(expression)\": random ~ syntax cannot be used with descriptors")
            }
            if spec.hasPrefix("@every ") {
                let text = spec.dropFirst("@every ".count).trimmingCharacters(in: .whitespaces)
                guard let nanos = GoDuration.parse(text) else {
                    throw HostServiceError("invalid cron expression \"\(expression)\": invalid duration \"\(text)\"")
                }
                kind = .every(seconds: max(1, nanos / 1_000_000_000))
                return
            }
            let descriptors = [
                "@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
                "@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *", "@hourly": "0 0 * * * *",
            ]
            guard let fields = descriptors[spec] else {
                throw HostServiceError("invalid cron expression \"\(expression)\": unrecognized descriptor \"\(spec)\"")
            }
            kind = .fields(try CronFields(fields.split(separator: " ").map(String.init), expression: expression))
            return
        }
        var fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch fields.count {
        case 5: fields.insert("0", at: 0)
        case 6: break
        default:
            throw HostServiceError(
                "invalid cron expression \"\(expression)\": expected 5 or 6 fields, found \(fields.count)")
        }
        kind = .fields(try CronFields(fields, expression: expression))
    }

    /// The first activation strictly after `date`, or `nil` if none within five years.
    public func next(after date: Date) -> Date? {
        let start = Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down))
        switch kind {
        case .every(let seconds):
            return start.addingTimeInterval(Double(seconds))
        case .fields(let fields):
            return fields.next(after: start, in: timeZone)
        }
    }
}

/// The six bit sets of a field-based schedule (seconds … weekday).
struct CronFields: Sendable, Equatable {
    struct Bounds {
        let min: Int
        let max: Int
        let names: [String: Int]
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    static let bounds: [Bounds] = [
        Bounds(min: 0, max: 59, names: [:]),
        Bounds(min: 0, max: 59, names: [:]),
        Bounds(min: 0, max: 23, names: [:]),
        Bounds(min: 1, max: 31, names: [:]),
        Bounds(min: 1, max: 12, names: Dictionary(uniqueKeysWithValues: months.enumerated().map { ($1, $0 + 1) })),
        Bounds(min: 0, max: 6, names: Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })),
    ]
    static let fieldNames = ["seconds", "minutes", "hours", "day of month", "month", "day of week"]

    var second: UInt64, minute: UInt64, hour: UInt64, dom: UInt64, month: UInt64, dow: UInt64
    /// Whether day-of-month / day-of-week were `*` or `?` (robfig's star bit).
    var domStar: Bool, dowStar: Bool

    init(_ fields: [String], expression: String) throws {
        var sets: [UInt64] = []
        var stars: [Bool] = []
        for (i, field) in fields.enumerated() {
            let (bits, star) = try Self.parseField(field, Self.bounds[i], name: Self.fieldNames[i], expression: expression)
            sets.append(bits)
            stars.append(star)
        }
        (second, minute, hour, dom, month, dow) = (sets[0], sets[1], sets[2], sets[3], sets[4], sets[5])
        (domStar, dowStar) = (stars[3], stars[5])
    }

    private static func parseField(_ field: String, _ b: Bounds, name: String, expression: String) throws -> (UInt64, Bool) {
        func fail(_ why: String) -> HostServiceError {
            HostServiceError("invalid cron expression \"\(expression)\": \(name) field \"\(field)\": \(why)")
        }
        func value(_ text: Substring) throws -> Int {
            if let n = Int(text) { return n }
            if let n = b.names[text.lowercased()] { return n }
            throw fail("\"\(text)\" is not a number\(b.names.isEmpty ? "" : " or name")")
        }
        if field.contains("~") {
            // crontab(5) random value, resolved once now.
            if field.contains(",") || field.contains("/") { throw fail("random ~ cannot be combined with lists or steps") }
            let parts = field.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false)
            let low = parts[0].isEmpty ? b.min : try value(parts[0])
            let high = parts[1].isEmpty ? b.max : try value(parts[1])
            guard low >= b.min, high <= b.max, low <= high else { throw fail("random range out of bounds \(b.min)-\(b.max)") }
            return (UInt64(1) << UInt64(Int.random(in: low...high)), false)
        }
        var bits: UInt64 = 0
        var star = false
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let rangeAndStep = part.split(separator: "/", omittingEmptySubsequences: false)
            guard rangeAndStep.count <= 2 else { throw fail("too many slashes") }
            let range = rangeAndStep[0]
            var low: Int, high: Int
            var partStar = false
            if range == "*" || range == "?" {
                (low, high) = (b.min, b.max)
                partStar = true
            } else {
                let ends = range.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2, !ends[0].isEmpty else { throw fail("invalid range") }
                low = try value(ends[0])
                high = ends.count == 2 ? try value(ends[1]) : low
                if ends.count == 1 && rangeAndStep.count == 2 { high = b.max }  // "N/step" = N-max/step
            }
            var step = 1
            if rangeAndStep.count == 2 {
                guard let s = Int(rangeAndStep[1]), s > 0 else { throw fail("step must be a positive number") }
                step = s
                if step > 1 { partStar = false }
            }
            guard low >= b.min else { throw fail("\(low) is below the minimum \(b.min)") }
            guard high <= b.max else { throw fail("\(high) is above the maximum \(b.max)") }
            guard low <= high else { throw fail("range start \(low) is beyond its end \(high)") }
            for v in stride(from: low, through: high, by: step) { bits |= UInt64(1) << UInt64(v) }
            star = star || partStar
        }
        return (bits, star)
    }

    private static func has(_ set: UInt64, _ v: Int) -> Bool { set & (UInt64(1) << UInt64(v)) != 0 }

    private func dayMatches(_ c: DateComponents) -> Bool {
        let domMatch = Self.has(dom, c.day!)
        let dowMatch = Self.has(dow, c.weekday! - 1)
        return domStar || dowStar ? domMatch && dowMatch : domMatch || dowMatch
    }

    func next(after start: Date, in zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var t = start.addingTimeInterval(1)
        let limit = start.addingTimeInterval(5 * 366 * 86_400)
        let units: Set<Calendar.Component> = [.year, .month, .day, .hour, .minute, .second, .weekday]
        while t <= limit {
            let c = calendar.dateComponents(units, from: t)
            if !Self.has(month, c.month!) {
                let firstOfMonth = calendar.date(from: DateComponents(year: c.year, month: c.month, day: 1))!
                t = calendar.date(byAdding: .month, value: 1, to: firstOfMonth)!
                continue
            }
            if !dayMatches(c) {
                t = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: t))!
                continue
            }
            if !Self.has(hour, c.hour!) {
                t = t.addingTimeInterval(Double(3600 - c.minute! * 60 - c.second!))
                continue
            }
            if !Self.has(minute, c.minute!) {
                t = t.addingTimeInterval(Double(60 - c.second!))
                continue
            }
            if !Self.has(second, c.second!) {
                t = t.addingTimeInterval(1)
                continue
            }
            return t
        }
        return nil
    }
}

/// Go's `time.ParseDuration`: `"300ms"`, `"1.5h"`, `"2h45m"`; units ns, us, µs, ms, s, m, h.
enum GoDuration {
    /// Nanoseconds, or `nil` if `text` is not a Go duration.
    static func parse(_ text: String) -> Int64? {
        var s = Substring(text)
        var negative = false
        if let first = s.first, first == "-" || first == "+" {
            negative = first == "-"
            s = s.dropFirst()
        }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var total = 0.0
        while !s.isEmpty {
            let numberEnd = s.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? s.endIndex
            guard numberEnd != s.startIndex, let number = Double(s[..<numberEnd]) else { return nil }
            s = s[numberEnd...]
            let unitEnd = s.firstIndex { $0.isASCII && ($0.isNumber || $0 == ".") } ?? s.endIndex
            guard let unit = units.first(where: { $0.0 == s[..<unitEnd] }) else { return nil }
            total += number * unit.1
            s = s[unitEnd...]
        }
        guard total < 9.2e18 else { return nil }
        return Int64(negative ? -total : total)
    }
}
