@testable import DiscordRichPresence
import Testing

@Suite struct ActivityTextTests {
    @Test func textWithinDiscordsLimitIsKept() {
        let exactly = String(repeating: "a", count: 128)
        #expect(ActivityText.truncated(exactly) == exactly)
        #expect(ActivityText.truncated("Song") == "Song")
    }

    @Test func longTextIsCutWithAnEllipsis() {
        let cut = ActivityText.truncated(String(repeating: "a", count: 130))
        #expect(cut == String(repeating: "a", count: 127) + "…")
    }

    @Test func limitCountsUTF16UnitsAndCutsBetweenScalars() {
        // Each 🎵 is two UTF-16 units: 64 fit, 65 do not.
        let fits = String(repeating: "🎵", count: 64)
        #expect(ActivityText.truncated(fits) == fits)
        #expect(ActivityText.truncated(String(repeating: "🎵", count: 65)) == String(repeating: "🎵", count: 63) + "…")
        // Two-byte scalars count one unit each.
        #expect(ActivityText.truncated(String(repeating: "é", count: 129)) == String(repeating: "é", count: 127) + "…")
    }

    @Test func cutsNeverSplitACharacter() {
        // "e" + combining acute: the cut moves before the "e", not between it and its accent.
        let accented = String(repeating: "a", count: 126) + "e\u{301}" + "bbb"
        #expect(ActivityText.truncated(accented) == String(repeating: "a", count: 126) + "…")
        // A flag is two regional indicators (two UTF-16 units each): never half a flag.
        let flags = "a" + String(repeating: "🇫🇷", count: 40)
        let cut = ActivityText.truncated(flags)
        #expect(cut == "a" + String(repeating: "🇫🇷", count: 31) + "…")
        // An emoji ZWJ sequence stays whole.
        let family = String(repeating: "x", count: 122) + "👩\u{200D}👩\u{200D}👧" + "yy"
        #expect(ActivityText.truncated(family) == String(repeating: "x", count: 122) + "…")
        #expect(ActivityText.contains("{track} ({year})", "{year}") && !ActivityText.contains("{yea", "{year}"))
    }

    @Test func onlyShortHTTPURLsAreKept() {
        #expect(ActivityText.limitedURL("https://example.com/a") == "https://example.com/a")
        #expect(ActivityText.limitedURL("http://example.com") == "http://example.com")
        #expect(ActivityText.limitedURL("ftp://example.com") == nil)
        #expect(ActivityText.limitedURL("") == nil)
        #expect(ActivityText.limitedURL("https://example.com/" + String(repeating: "x", count: 237)) == nil)
        #expect(ActivityText.limitedURL("https://example.com/" + String(repeating: "x", count: 236)) != nil)
    }

    @Test func asciiCaseFoldingLeavesOtherBytesAlone() {
        #expect(ActivityText.asciiLowercased("ÄBC Dé") == "Äbc dé")
        #expect(ActivityText.equalIgnoringASCIICase("Alice", "aLICE"))
        #expect(!ActivityText.equalIgnoringASCIICase("É", "é"))
        #expect(!ActivityText.equalIgnoringASCIICase("alice", "alicia"))
    }

    @Test func byteWiseComparisons() {
        #expect(ActivityText.equal("Café", "Café"))
        #expect(!ActivityText.equal("Café", "Cafe\u{301}"))  // no Unicode normalisation
        #expect(!ActivityText.equal("abc", "abd") && !ActivityText.equal("abc", "abcd"))
        #expect(ActivityText.hasPrefix("wss://x", "wss://") && !ActivityText.hasPrefix("ws", "wss://"))
        #expect(ActivityText.hasPrefix("anything", ""))
        #expect(ActivityText.hasPrefix("wss://", "wss://") && !ActivityText.hasPrefix("wsx://x", "wss://"))
        #expect(ClientVisibility.mentionsInvisible(Array(#"[{"status":"invisible"}]"#.utf8)))
        #expect(!ClientVisibility.mentionsInvisible(Array(#"[{"status":"invisibl"}]"#.utf8)))
        #expect(ActivityText.contains("a {year} b", "{year}") && !ActivityText.contains("{yea", "{year}"))
        #expect(ActivityText.isDigits("0123456789") && !ActivityText.isDigits("12a") && !ActivityText.isDigits("١٢"))
        #expect(ActivityText.asciiLowercased("already lower") == "already lower")
    }

    @Test func trimmingAndSplitting() {
        #expect(ActivityText.trimmed(" \t Song \r\n") == "Song")
        #expect(ActivityText.trimmed("   ") == "")
        #expect(ActivityText.split(" a, ,b ,", on: UInt8(ascii: ",")) == ["a", "b"])
        #expect(ActivityText.split("", on: UInt8(ascii: ",")) == [])
        #expect(ActivityText.split("ü;;x", on: UInt8(ascii: ";")) == ["ü", "x"])
    }

    @Test func percentEncodingKeepsUnreservedCharacters() {
        #expect(ActivityText.percentEncoded("a b/ü-._~") == "a%20b%2F%C3%BC-._~")
    }

    @Test func hashKeyIsFNV1aInHex() {
        #expect(ActivityText.hashKey("") == "cbf29ce484222325")
        #expect(ActivityText.hashKey("a") == "af63dc4c8601ec8c")
        #expect(ActivityText.hashKey("abc") != ActivityText.hashKey("abd"))
    }
}
