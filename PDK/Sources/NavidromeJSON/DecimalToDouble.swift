/// Correctly rounded decimal → `Double` conversion (round half to even), without the C library.
///
/// Short inputs take Clinger's exact fast path; the rest one exact big-integer division.
enum DecimalToDouble {
    /// Most significant digits kept; the dropped tail only matters as a sticky bit.
    static let maxDigits = 800

    /// The value of the decimal digits (ASCII) `bytes[integer]` followed by `bytes[fraction]`,
    /// times 10^`exponent`, or nil when it is too large for a finite `Double`.
    @inline(never)
    static func convert(_ bytes: [UInt8], integer: Range<Int>, fraction: Range<Int>, exponent: Int) -> Double? {
        let digits = Digits(bytes: bytes, integer: integer, fraction: fraction)
        // The significant digits are digits[first..<last]: no leading or trailing zeros.
        var first = 0
        while first < digits.count && digits[first] == 0 { first += 1 }
        var last = digits.count
        while last > first && digits[last - 1] == 0 { last -= 1 }
        if first == last { return 0 }
        var exponent10 = exponent - fraction.count + (digits.count - last)
        var n = last - first
        var sticky = false
        if n > maxDigits {
            // The dropped digits are non-zero (trailing zeros were stripped): keep a sticky digit.
            exponent10 += n - maxDigits - 1
            n = maxDigits + 1
            sticky = true
        }
        if n + exponent10 > 310 { return nil }
        if n + exponent10 < -330 { return 0 }
        @inline(__always) func digit(_ i: Int) -> UInt32 {
            sticky && i == n - 1 ? 1 : UInt32(digits[first + i])
        }

        if n <= 15 && exponent10 >= -22 && exponent10 <= 22 {
            var mantissa: UInt64 = 0
            for i in 0..<n { mantissa = mantissa &* 10 &+ UInt64(digit(i)) }  // < 10^15
            var p = 1.0
            for _ in 0..<(exponent10 < 0 ? -exponent10 : exponent10) { p *= 10 }
            return exponent10 < 0 ? Double(mantissa) / p : Double(mantissa) * p
        }

        // value = numerator / denominator exactly; scale one of them by a power of two so the
        // quotient lies in (2^62, 2^64), find its 64 bits by long division and round once.
        // Bounds: n ≤ 801 digits and -exponent10 ≤ 1131, so every number stays below 2^3840.
        let words = 120
        let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: 3 * words)
        defer { scratch.deallocate() }
        var numerator = BigUInt(scratch, capacity: words)
        var denominator = BigUInt(scratch + words, capacity: words)
        var divisor = BigUInt(scratch + 2 * words, capacity: words)
        var i = 0
        while i < n {
            var chunk: UInt32 = 0
            var scale: UInt32 = 1
            while scale < 1_000_000_000 && i < n {
                chunk = chunk &* 10 &+ digit(i)  // < 10^9
                scale &*= 10
                i += 1
            }
            numerator.multiply(by: scale, adding: chunk)
        }
        denominator.multiply(by: 1, adding: 1)
        var power = exponent10 < 0 ? -exponent10 : exponent10
        while power > 0 {
            let step = min(power, 9)
            var p: UInt32 = 1
            for _ in 0..<step { p *= 10 }
            if exponent10 < 0 { denominator.multiply(by: p) } else { numerator.multiply(by: p) }
            power -= step
        }
        let k = 63 + denominator.bitLength - numerator.bitLength
        if k > 0 { numerator.shiftLeft(k) } else if k < 0 { denominator.shiftLeft(-k) }
        divisor.copy(denominator)
        divisor.shiftLeft(63)
        var quotient: UInt64 = 0
        var bit: UInt64 = 1 << 63
        while bit != 0 {
            if numerator.compare(divisor) >= 0 {
                numerator.subtract(divisor)
                quotient |= bit
            }
            divisor.shiftRightOne()
            bit >>= 1
        }
        return round(quotient, sticky: !numerator.isZero, exponent2: -k)
    }

    /// Rounds `mantissa × 2^exponent2` (plus a non-zero tail below it if `sticky`) to a Double.
    static func round(_ mantissa: UInt64, sticky: Bool, exponent2: Int) -> Double? {
        if mantissa == 0 { return 0 }
        let lz = mantissa.leadingZeroBitCount
        let m = mantissa << UInt64(lz)
        let e2 = exponent2 - lz
        let leading = e2 + 63
        if leading > 1023 { return nil }
        let keep = leading >= -1022 ? 53 : 53 - (-1022 - leading)
        if keep < 0 { return 0 }
        if keep == 0 {
            // Value in [2^-1075, 2^-1074): above half the smallest subnormal rounds up.
            let above = (m << 1) != 0 || sticky
            return above ? Double(sign: .plus, exponent: -1074, significand: 1) : 0
        }
        let shift = 64 - keep
        var kept = m >> UInt64(shift)
        let remainder = m & ((UInt64(1) << UInt64(shift)) - 1)
        let half = UInt64(1) << UInt64(shift - 1)
        if remainder > half || (remainder == half && (sticky || kept & 1 == 1)) {
            kept += 1
        }
        let result = Double(sign: .plus, exponent: e2 + shift, significand: Double(kept))
        return result.isFinite ? result : nil
    }

    /// The decimal digits of a JSON number (integer part, then fraction), as values 0...9.
    struct Digits {
        let bytes: [UInt8]
        let integer: Range<Int>
        let fraction: Range<Int>
        var count: Int { integer.count + fraction.count }

        init(bytes: [UInt8], integer: Range<Int>, fraction: Range<Int>) {
            self.bytes = bytes
            self.integer = integer
            self.fraction = fraction
        }

        @inline(never)
        subscript(i: Int) -> UInt8 {
            let at = i < integer.count ? integer.lowerBound + i : fraction.lowerBound + (i - integer.count)
            return bytes[at] &- 0x30
        }
    }
}

/// Just enough of an arbitrary-precision unsigned integer for ``DecimalToDouble``: little-endian
/// 32-bit words in caller-provided storage of fixed capacity.
struct BigUInt {
    let words: UnsafeMutablePointer<UInt32>
    let capacity: Int
    /// Words in use (the highest may be zero).
    var count = 1

    init(_ storage: UnsafeMutablePointer<UInt32>, capacity: Int) {
        words = storage
        self.capacity = capacity
        words[0] = 0
    }

    var isZero: Bool {
        for i in 0..<count where words[i] != 0 { return false }
        return true
    }

    @inline(never)
    var bitLength: Int {
        var i = count - 1
        while i >= 0 {
            if words[i] != 0 { return i * 32 + 32 - words[i].leadingZeroBitCount }
            i -= 1
        }
        return 0
    }

    mutating func copy(_ other: BigUInt) {
        count = other.count
        words.update(from: other.words, count: count)
    }

    @inline(never)
    mutating func multiply(by factor: UInt32, adding addend: UInt32 = 0) {
        var carry = UInt64(addend)
        for i in 0..<count {
            let p = UInt64(words[i]) &* UInt64(factor) &+ carry  // < 2^64
            words[i] = UInt32(truncatingIfNeeded: p)
            carry = p >> 32
        }
        if carry != 0 { push(UInt32(carry)) }
    }

    mutating func push(_ word: UInt32) {
        precondition(count < capacity)
        words[count] = word
        count += 1
    }

    mutating func shiftLeft(_ bits: Int) {
        let wordShift = bits / 32
        let bitShift = UInt32(bits % 32)
        if bitShift != 0 {
            var carry: UInt32 = 0
            for i in 0..<count {
                let w = words[i]
                words[i] = (w << bitShift) | carry
                carry = w >> (32 - bitShift)
            }
            if carry != 0 { push(carry) }
        }
        if wordShift > 0 {
            precondition(count + wordShift <= capacity)
            var i = count - 1
            while i >= 0 {
                words[i + wordShift] = words[i]
                i -= 1
            }
            for j in 0..<wordShift { words[j] = 0 }
            count += wordShift
        }
    }

    mutating func shiftRightOne() {
        var carry: UInt32 = 0
        var i = count - 1
        while i >= 0 {
            let w = words[i]
            words[i] = (w >> 1) | (carry << 31)
            carry = w & 1
            i -= 1
        }
    }

    func compare(_ other: BigUInt) -> Int {
        var i = max(count, other.count) - 1
        while i >= 0 {
            let a = i < count ? words[i] : 0
            let b = i < other.count ? other.words[i] : 0
            if a != b { return a < b ? -1 : 1 }
            i -= 1
        }
        return 0
    }

    /// self -= other; requires self >= other.
    mutating func subtract(_ other: BigUInt) {
        var borrow: Int64 = 0
        for i in 0..<count {
            let b = i < other.count ? Int64(other.words[i]) : 0
            var d = Int64(words[i]) - b - borrow
            if d < 0 { d += 1 << 32; borrow = 1 } else { borrow = 0 }
            words[i] = UInt32(d)
        }
    }
}
