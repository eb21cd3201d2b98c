import Testing
import MFAQRCode

@Suite struct QRErrorCorrectionTests {
    @Test func rawValuesAreTheStandardLetters() {
        #expect(QRErrorCorrection.allCases.map(\.rawValue) == ["L", "M", "Q", "H"])
        #expect(QRErrorCorrection(rawValue: "Q") == .quartile)
        #expect(QRErrorCorrection(rawValue: "m") == nil)
    }

    @Test func higherLevelsNeverMakeASmallerSymbol() throws {
        let sizes = try QRErrorCorrection.allCases.map { try QRCode(text: Samples.uri100, errorCorrection: $0).size }
        #expect(sizes == sizes.sorted())
        #expect(sizes[0] < sizes[3])
    }

    @Test(arguments: QRErrorCorrection.allCases)
    func maximumBytesIsTheExactByteModeLimit(level: QRErrorCorrection) throws {
        let fits = try QRCode(text: String(repeating: "a", count: level.maximumBytes), errorCorrection: level)
        #expect(fits.version == 40)
        #expect(fits.errorCorrection == level)
        #expect(throws: QRCodeError.tooLong(level: level)) {
            try QRCode(text: String(repeating: "a", count: level.maximumBytes + 1), errorCorrection: level)
        }
    }
}
