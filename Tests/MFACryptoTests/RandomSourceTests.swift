import Testing
@testable import MFACrypto

/// Returns scripted 32-bit words, for testing rejection sampling.
private struct ScriptedSource: RandomSource {
    let box: Box
    final class Box: @unchecked Sendable { var words: [UInt32]; init(_ w: [UInt32]) { words = w } }
    init(_ words: [UInt32]) { box = Box(words) }
    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws {
        var word = box.words.removeFirst()
        withUnsafeBytes(of: &word) { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<buffer.count])) }
    }
}

@Suite struct RandomSourceTests {
    @Test func systemSourceFillsAndDiffers() throws {
        let source = SystemRandomSource()
        let a = try source.bytes(count: 32), b = try source.bytes(count: 32)
        #expect(a.count == 32)
        #expect(a != b)
    }

    // OOB-01: no modulo bias; values in the biased tail are rejected and drawn again.
    @Test func uniformRejectsTheBiasedTail() throws {
        let limit = UInt32.max - (UInt32.max % 1_000_000)
        let source = ScriptedSource([UInt32.max, limit, 1_234_567])
        #expect(try source.uniform(below: 1_000_000) == 234_567)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals("123456", "123456"))
        #expect(!ConstantTime.equals("123456", "123457"))
        #expect(!ConstantTime.equals("12345", "123456"))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test func secureBytesRedactsItsDescription() {
        let bytes = SecureBytes(Array("hunter2".utf8))
        #expect(!String(describing: bytes).contains("hunter2"))
        #expect(bytes == SecureBytes(Array("hunter2".utf8)))
        #expect(bytes != SecureBytes(Array("hunter3".utf8)))
    }

    @Test func base64RoundTrips() {
        for n in 0..<20 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9v!") == nil)
        #expect(Base64.decode("Z") == nil)
    }
}
