import Console
import Foundation
import Logging
import Testing

@Suite struct LogRingTests {
    @Test func keepsTheNewestLinesAndFiltersThem() {
        let ring = LogRing(capacity: 3)
        ring.append(level: .info, message: "one", metadata: ["plugin": "a"])
        ring.append(level: .error, message: "two", metadata: ["plugin": "b", "error": "boom"])
        ring.append(level: .debug, message: "three", metadata: [:])
        ring.append(level: .warning, message: "four", metadata: ["plugin": "a"])
        #expect(ring.entries().map(\.message) == ["two", "three", "four"])
        #expect(ring.entries().map(\.sequence) == [2, 3, 4])
        #expect(ring.entries(level: .warning).map(\.message) == ["two", "four"])
        #expect(ring.entries(plugin: "a").map(\.message) == ["four"])
        #expect(ring.entries(after: 3).map(\.message) == ["four"])
        #expect(ring.entries(limit: 1).map(\.message) == ["four"])
        #expect(ring.entries(plugin: "b").first?.metadata == "error=boom")
    }

    @Test func theHandlerWritesThroughALogger() {
        let ring = LogRing()
        var logger = Logger(label: "test") { _ in LogRingHandler(ring: ring, logLevel: .info) }
        logger[metadataKey: "plugin"] = "minimal"
        logger.debug("hidden")
        logger.info("shown", metadata: ["n": "1"])
        #expect(ring.entries().map(\.message) == ["shown"])
        #expect(ring.entries().first?.plugin == "minimal")
        #expect(ring.entries().first?.metadata == "n=1")
    }
}
