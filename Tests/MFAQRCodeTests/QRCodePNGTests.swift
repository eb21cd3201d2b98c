import Foundation
import Testing
@testable import MFAQRCode

@Suite struct QRCodePNGTests {
    static let roundTripInputs = [Samples.plainURI, Samples.percentEncodedURI, Samples.unicode, Samples.uri100]

    @Test(arguments: roundTripInputs)
    func zbarimgReadsBackTheText(text: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let png = try QRCode(text: text).png()
        #expect(try decodeWithZBar(png, in: directory) == Array(text.utf8))
        #expect(try decodeWithZBar(png, in: directory, output: .binary) == Array(text.utf8))
    }

    @Test(arguments: ["café", "MiXeD cAsE 0123 abc"])
    func zbarimgReadsBackTheExactBytes(text: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let png = try QRCode(text: text).png()
        #expect(try decodeWithZBar(png, in: directory, output: .binary) == Array(text.utf8))
    }

    @Test func zbarimgReadsBackTextWithNUL() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let png = try QRCode(text: "a\u{0}b").png()
        #expect(try decodeWithZBar(png, in: directory, output: .binary) == [0x61, 0x00, 0x62])
    }

    @Test(arguments: QRErrorCorrection.allCases)
    func zbarimgReadsEveryLevel(level: QRErrorCorrection) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let png = try QRCode(text: Samples.uri120, errorCorrection: level).png()
        #expect(try decodeWithZBar(png, in: directory) == Array(Samples.uri120.utf8))
    }

    @Test(arguments: [2, 3, 5, 8, 13])
    func zbarimgReadsOtherScales(scale: Int) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let png = try QRCode(text: Samples.uri100).png(scale: scale, compressionLevel: 9)
        #expect(try decodeWithZBar(png, in: directory) == Array(Samples.uri100.utf8))
    }

    @Test(arguments: [1, 3, 4, 7, 64])
    func headerDescribesA1BitGrayImage(scale: Int) throws {
        let code = try QRCode(text: Samples.uri100)
        let png = try code.png(scale: scale)
        #expect(Array(png.prefix(8)) == PNGHeader.signature)
        let header = try #require(PNGHeader(png), "an IHDR chunk right after the signature")
        let side = UInt32((code.size + 2 * QRCode.quietZone) * scale)
        #expect(header.width == side)
        #expect(header.height == side)
        #expect(header.bitDepth == 1)
        #expect(header.colorType == 0)
        #expect(Array(png.suffix(8)) == [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82], "ends with IEND")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 8, 9, 16, 17])
    func pixelsMatchTheModules(scale: Int) throws {
        let code = try QRCode(text: Samples.percentEncodedURI)
        let image = code.packedPixels(scale: scale)
        let quietZone = QRCode.quietZone
        #expect(image.side == (code.size + 2 * quietZone) * scale)
        #expect(image.rowBytes == (image.side + 7) / 8)
        #expect(image.pixels.count == image.rowBytes * image.side)
        var mismatches = 0
        for py in 0..<image.side {
            for px in 0..<image.side {
                let white = image.pixels[py * image.rowBytes + px / 8] & (0x80 >> UInt8(px % 8)) != 0
                let dark = code.isDark(x: px / scale - quietZone, y: py / scale - quietZone)
                if white == dark { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: [0, 65, -1, Int.max])
    func scaleOutsideOneToSixtyFourIsRejected(scale: Int) throws {
        let code = try QRCode(text: Samples.plainURI)
        let error = #expect(throws: QRCodeError.self) { try code.png(scale: scale) }
        #expect(error?.code == "qr_invalid_scale")
    }

    @Test func compressionLevelIsClampedNotRejected() throws {
        let code = try QRCode(text: Samples.plainURI)
        #expect(try code.png(compressionLevel: -5) == code.png(compressionLevel: 0))
        #expect(try code.png(compressionLevel: 42) == code.png(compressionLevel: 9))
    }

    @Test func outputIsDeterministic() throws {
        let code = try QRCode(text: Samples.uri120)
        #expect(try code.png() == code.png())
    }
}

/// The fields of a PNG's IHDR chunk, read from the bytes after the signature.
private struct PNGHeader {
    let width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    init?(_ png: [UInt8]) {
        guard png.count >= 33, Array(png[0..<8]) == Self.signature,
              Array(png[8..<16]) == [0, 0, 0, 13] + Array("IHDR".utf8) else { return nil }
        func uint32(at offset: Int) -> UInt32 {
            png[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        width = uint32(at: 16)
        height = uint32(at: 20)
        bitDepth = png[24]
        colorType = png[25]
    }
}
