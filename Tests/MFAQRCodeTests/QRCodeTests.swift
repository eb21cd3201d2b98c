import Testing
@testable import MFAQRCode

@Suite struct QRCodeTests {
    @Test func sizeMatchesVersionAndIsStable() throws {
        let code = try QRCode(text: Samples.uri100)
        #expect((1...40).contains(code.version))
        #expect(code.size == 17 + 4 * code.version)
        #expect(code.errorCorrection == .medium)
        #expect(try QRCode(text: Samples.uri100) == code)
    }

    @Test func finderPatternsAreInTheCorners() throws {
        let code = try QRCode(text: Samples.plainURI)
        let last = code.size - 1
        for (cornerX, cornerY) in [(0, 0), (last - 6, 0), (0, last - 6)] {
            // The 7x7 finder: dark ring, light ring, dark 3x3 centre.
            for dy in 0..<7 {
                for dx in 0..<7 {
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(code.isDark(x: cornerX + dx, y: cornerY + dy) == (ring != 2))
                }
            }
        }
    }

    @Test func outsideTheSymbolIsLight() throws {
        let code = try QRCode(text: "x")
        #expect(code.isDark(x: 0, y: 0))
        for (x, y) in [(-1, 0), (0, -1), (code.size, 0), (0, code.size), (Int.min, Int.max)] {
            #expect(!code.isDark(x: x, y: y))
        }
    }

    @Test func upperCaseBase32IsPackedDenserThanLowerCase() throws {
        let secret = String(repeating: "JBSWY3DPEHPK3PXP", count: 6)
        let upper = try QRCode(text: secret)
        let lower = try QRCode(text: secret.lowercased())
        #expect(upper.version < lower.version)
    }

    @Test func emptyTextIsRejected() {
        #expect(throws: QRCodeError.emptyInput) { try QRCode(text: "") }
    }

    @Test(arguments: QRErrorCorrection.allCases)
    func threeThousandBytesAreTooLong(level: QRErrorCorrection) {
        let error = #expect(throws: QRCodeError.self) {
            try QRCode(text: String(repeating: "a", count: 3000), errorCorrection: level)
        }
        #expect(error?.code == "qr_too_long")
        #expect(error == .tooLong(level: level))
    }

    @Test func tooLongAtLevelMediumNamesTheMaximum() {
        let error = #expect(throws: QRCodeError.self) {
            try QRCode(text: String(repeating: "a", count: 3000), errorCorrection: .medium)
        }
        #expect(error?.code == "qr_too_long")
        #expect(error?.message.contains("2331") == true)
        #expect(error?.message.contains("level M") == true)
    }

    @Test func hugeTextIsRejectedAsTooLong() {
        let error = #expect(throws: QRCodeError.self) { try QRCode(text: String(repeating: "7", count: 1_000_000)) }
        #expect(error?.code == "qr_too_long")
    }

    @Test func digitsBeyondTheByteLimitStillFit() throws {
        // 7,089 digits is the numeric-mode maximum at level L, far above its 2,953-byte limit.
        let code = try QRCode(text: String(repeating: "1", count: 7089), errorCorrection: .low)
        #expect(code.version == 40)
        #expect(throws: QRCodeError.tooLong(level: .low)) {
            try QRCode(text: String(repeating: "1", count: 7090), errorCorrection: .low)
        }
    }

    @Test func textWithNULIsEncodedWhole() throws {
        let withNUL = try QRCode(text: "a\u{0}b")
        let truncated = try QRCode(text: "a")
        #expect(withNUL != truncated)
    }

    @Test func encodesConcurrently() async throws {
        let expected = try QRCode(text: Samples.uri120)
        let results = try await withThrowingTaskGroup(of: QRCode.self) { group in
            for _ in 0..<16 {
                group.addTask { try QRCode(text: Samples.uri120) }
            }
            return try await group.reduce(into: [QRCode]()) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 == expected })
    }

    @Test func darkRunsCoverExactlyTheDarkModules() throws {
        let code = try QRCode(text: Samples.percentEncodedURI)
        for y in 0..<code.size {
            var fromRuns = [Bool](repeating: false, count: code.size)
            var previousEnd = -1
            code.forEachDarkRun(inRow: y) { start, end in
                #expect(start > previousEnd, "runs are ordered and separated by light modules")
                previousEnd = end
                for x in start..<end { fromRuns[x] = true }
            }
            #expect(fromRuns == (0..<code.size).map { code.isDark(x: $0, y: y) })
        }
    }
}
