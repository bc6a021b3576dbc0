/// Correctly rounded decimal → `Double` conversion (round half to even), without the C library.
///
/// Short inputs take Clinger's exact fast path; the rest use exact big-integer arithmetic.
enum DecimalToDouble {
    /// Most significant digits kept; the dropped tail only matters as a sticky bit.
    static let maxDigits = 800

    /// The value `digits × 10^exponent10` (digits are 0...9, most significant first), or nil
    /// when it is too large for a finite `Double`.
    static func convert(digits input: [UInt8], exponent10 input10: Int) -> Double? {
        var first = 0
        while first < input.count && input[first] == 0 { first += 1 }
        var last = input.count
        while last > first && input[last - 1] == 0 { last -= 1 }
        if first == last { return 0 }
        var digits = Array(input[first..<last])
        var exponent10 = input10 + (input.count - last)
        if digits.count > maxDigits {
            let dropped = digits.count - maxDigits
            digits.removeLast(dropped)
            exponent10 += dropped
            // The dropped digits are non-zero (trailing zeros were stripped): keep a sticky digit.
            digits.append(1)
            exponent10 -= 1
        }
        let n = digits.count
        if n + exponent10 > 310 { return nil }
        if n + exponent10 < -330 { return 0 }

        if n <= 15 && exponent10 >= -22 && exponent10 <= 22 {
            var mantissa: UInt64 = 0
            for d in digits { mantissa = mantissa * 10 + UInt64(d) }
            let m = Double(mantissa)
            let p = powerOfTen(exponent10 < 0 ? -exponent10 : exponent10)
            return exponent10 < 0 ? m / p : m * p
        }

        let d = BigUInt(digits: digits)
        if exponent10 >= 0 {
            var value = d
            value.multiply(byPowerOfTen: exponent10)
            let bits = value.bitLength
            let shift = bits > 64 ? bits - 64 : 0
            let top = value.topBits(from: shift)
            let sticky = value.hasNonZeroBits(below: shift)
            return round(top, sticky: sticky, exponent2: shift)
        }
        var numerator = d
        var denominator = BigUInt(word: 1)
        denominator.multiply(byPowerOfTen: -exponent10)
        let k = 63 + denominator.bitLength - numerator.bitLength
        if k > 0 { numerator.shiftLeft(k) } else if k < 0 { denominator.shiftLeft(-k) }
        // numerator / denominator ∈ (2^62, 2^64): long division, one quotient bit at a time.
        var divisor = denominator
        divisor.shiftLeft(63)
        var quotient: UInt64 = 0
        var bit = 63
        while bit >= 0 {
            if numerator.compare(divisor) >= 0 {
                numerator.subtract(divisor)
                quotient |= UInt64(1) << UInt64(bit)
            }
            divisor.shiftRightOne()
            bit -= 1
        }
        return round(quotient, sticky: !numerator.isZero, exponent2: -k)
    }

    static func powerOfTen(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
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
        if shift > 0 {
            let remainder = m & ((UInt64(1) << UInt64(shift)) - 1)
            let half = UInt64(1) << UInt64(shift - 1)
            if remainder > half || (remainder == half && (sticky || kept & 1 == 1)) {
                kept += 1
            }
        }
        let result = Double(sign: .plus, exponent: e2 + shift, significand: Double(kept))
        return result.isFinite ? result : nil
    }
}

/// Just enough of an arbitrary-precision unsigned integer for ``DecimalToDouble``.
struct BigUInt {
    var words: [UInt32]  // little-endian

    init(word: UInt32) { words = [word] }

    init(digits: [UInt8]) {
        words = [0]
        var i = 0
        while i < digits.count {
            var chunk: UInt32 = 0
            var scale: UInt32 = 1
            var k = 0
            while k < 9 && i < digits.count {
                chunk = chunk * 10 + UInt32(digits[i])
                scale *= 10
                i += 1
                k += 1
            }
            multiply(by: scale, adding: chunk)
        }
    }

    var isZero: Bool { words.allSatisfy { $0 == 0 } }

    var bitLength: Int {
        var i = words.count - 1
        while i >= 0 {
            if words[i] != 0 { return i * 32 + 32 - words[i].leadingZeroBitCount }
            i -= 1
        }
        return 0
    }

    mutating func multiply(by factor: UInt32, adding addend: UInt32 = 0) {
        var carry = UInt64(addend)
        for i in 0..<words.count {
            let p = UInt64(words[i]) * UInt64(factor) + carry
            words[i] = UInt32(truncatingIfNeeded: p)
            carry = p >> 32
        }
        if carry != 0 { words.append(UInt32(carry)) }
    }

    mutating func multiply(byPowerOfTen n: Int) {
        var left = n
        while left >= 9 {
            multiply(by: 1_000_000_000)
            left -= 9
        }
        var p: UInt32 = 1
        while left > 0 { p *= 10; left -= 1 }
        if p > 1 { multiply(by: p) }
    }

    mutating func shiftLeft(_ bits: Int) {
        let wordShift = bits / 32
        let bitShift = UInt32(bits % 32)
        if bitShift != 0 {
            var carry: UInt32 = 0
            for i in 0..<words.count {
                let w = words[i]
                words[i] = (w << bitShift) | carry
                carry = w >> (32 - bitShift)
            }
            if carry != 0 { words.append(carry) }
        }
        if wordShift > 0 { words.insert(contentsOf: [UInt32](repeating: 0, count: wordShift), at: 0) }
    }

    mutating func shiftRightOne() {
        var carry: UInt32 = 0
        var i = words.count - 1
        while i >= 0 {
            let w = words[i]
            words[i] = (w >> 1) | (carry << 31)
            carry = w & 1
            i -= 1
        }
    }

    func compare(_ other: BigUInt) -> Int {
        let n = max(words.count, other.words.count)
        var i = n - 1
        while i >= 0 {
            let a = i < words.count ? words[i] : 0
            let b = i < other.words.count ? other.words[i] : 0
            if a != b { return a < b ? -1 : 1 }
            i -= 1
        }
        return 0
    }

    /// self -= other; requires self >= other.
    mutating func subtract(_ other: BigUInt) {
        var borrow: Int64 = 0
        for i in 0..<words.count {
            let b = i < other.words.count ? Int64(other.words[i]) : 0
            var d = Int64(words[i]) - b - borrow
            if d < 0 { d += 1 << 32; borrow = 1 } else { borrow = 0 }
            words[i] = UInt32(d)
        }
    }

    /// The 64 bits starting at bit `from` (bit 0 = least significant).
    func topBits(from: Int) -> UInt64 {
        var result: UInt64 = 0
        for k in 0..<64 {
            let bit = from + k
            let w = bit / 32
            if w < words.count && (words[w] >> UInt32(bit % 32)) & 1 == 1 {
                result |= UInt64(1) << UInt64(k)
            }
        }
        return result
    }

    func hasNonZeroBits(below bit: Int) -> Bool {
        var k = 0
        while k < bit {
            let w = k / 32
            if w < words.count && (words[w] >> UInt32(k % 32)) & 1 == 1 { return true }
            k += 1
        }
        return false
    }
}
