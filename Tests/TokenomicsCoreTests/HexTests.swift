import Testing
import TokenomicsCore

struct HexTests {
    static let allBytes: [UInt8] = (0...255).map { UInt8($0) }
    static let allBytesHex: String = (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()

    @Test(arguments: [
        ([UInt8](), ""),
        ([0x00], "00"),
        ([0x0f, 0xa0, 0xff, 0x09], "0fa0ff09"),
        (allBytes, allBytesHex),
    ] as [([UInt8], String)])
    func encodesLowerCaseTwoDigitsPerByte(bytes: [UInt8], expected: String) {
        #expect(Hex.encode(bytes) == expected)
    }
}
