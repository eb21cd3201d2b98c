import Foundation
import Testing
@testable import MFAQRCode

@Suite struct QRCodeDataURLTests {
    @Test(arguments: [1, 4, 10])
    func pngDataURLDecodesToThePNG(scale: Int) throws {
        let code = try QRCode(text: Samples.uri100)
        let url = try code.pngDataURL(scale: scale)
        let prefix = "data:image/png;base64,"
        #expect(url.hasPrefix(prefix))
        let decoded = try #require(Data(base64Encoded: String(url.dropFirst(prefix.count))))
        #expect([UInt8](decoded) == (try code.png(scale: scale)))
    }

    @Test func svgDataURLDecodesToTheSVG() throws {
        let code = try QRCode(text: Samples.percentEncodedURI)
        let url = code.svgDataURL()
        let prefix = "data:image/svg+xml;base64,"
        #expect(url.hasPrefix(prefix))
        let decoded = try #require(Data(base64Encoded: String(url.dropFirst(prefix.count))))
        #expect(String(decoding: decoded, as: UTF8.self) == code.svg())
    }

    @Test func pngDataURLRejectsABadScale() throws {
        let code = try QRCode(text: "x")
        #expect(throws: QRCodeError.invalidScale(0)) { try code.pngDataURL(scale: 0) }
        #expect(throws: QRCodeError.invalidScale(65)) { try code.pngDataURL(scale: 65) }
    }

    @Test func base64MatchesFoundationForEveryPaddingCase() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            #expect(base64(bytes) == Data(bytes).base64EncodedString(), "\(length) bytes")
        }
    }
}
