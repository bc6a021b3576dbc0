import NavidromePDK
import Testing

@Suite struct URLTextTests {
    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(URLText.percentEncoded("a b/ü-._~") == "a%20b%2F%C3%BC-._~")
        #expect(URLText.percentEncoded("AC/DC?x=1&y=#") == "AC%2FDC%3Fx%3D1%26y%3D%23")
        #expect(URLText.percentEncoded("") == "")
    }
}
