import Testing
import MFAQRCode

@Suite struct QRCodeErrorTests {
    @Test func codesAreStable() {
        #expect(QRCodeError.tooLong(level: .medium).code == "qr_too_long")
        #expect(QRCodeError.emptyInput.code == "qr_empty_input")
        #expect(QRCodeError.encodingFailed.code == "qr_encoding_failed")
        #expect(QRCodeError.pngFailed.code == "qr_png_failed")
        #expect(QRCodeError.invalidScale(0).code == "qr_invalid_scale")
    }

    @Test func descriptionIsCodeAndMessage() {
        let error = QRCodeError.invalidScale(65)
        #expect(error.message == "The QR code scale must be between 1 and 64 pixels per module, not 65.")
        #expect(error.description == "qr_invalid_scale: \(error.message)")
    }

    @Test func equalityComparesCodeAndMessage() {
        #expect(QRCodeError.tooLong(level: .low) == .tooLong(level: .low))
        #expect(QRCodeError.tooLong(level: .low) != .tooLong(level: .high))
        #expect(QRCodeError.invalidScale(0) != .invalidScale(65))
        #expect(QRCodeError.emptyInput != .encodingFailed)
    }
}
