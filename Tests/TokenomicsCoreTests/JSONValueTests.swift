import Foundation
import Testing
import TokenomicsCore

struct JSONValueTests {
    @Test func moneyIsAnExactJSONNumber() throws {
        let value = JSONValue.object([("total_usd", .money(try Money(exactly: "0.0000000125"))), ("n", .int(3))])
        #expect(value.serialized(compact: true) == "{\"total_usd\":0.0000000125,\"n\":3}")
        #expect(JSONValue.moneyString(try Money(exactly: "1e-20")).serialized() == "\"0.00000000000000000001\"")
    }

    @Test func stringsAreEscaped() {
        #expect(JSONValue.string("a\"b\\c\n\u{1}").serialized() == "\"a\\\"b\\\\c\\n\\u0001\"")
        #expect(JSONValue.quote("tab\there\r\u{1F}é😀") == "\"tab\\there\\r\\u001fé😀\"")
    }

    /// Every string, control characters and non-ASCII included, reads back as itself, and the
    /// escaped text is what Foundation's decoder reads too.
    @Test func escapedStringsReadBack() throws {
        var text = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) })
        text += "é€😀\u{2028}"
        let json = JSONValue.quote(text)
        #expect(try JSONValue.parse(json) == .string(text))
        #expect(try JSONDecoder().decode(String.self, from: Data(json.utf8)) == text)
    }

    @Test func keysKeepTheirOrderAndNonFiniteIsNull() {
        let value = JSONValue.object([("b", .double(.nan)), ("a", .double(0.5)), ("c", .array([]))])
        #expect(value.serialized(compact: true) == "{\"b\":null,\"a\":0.5,\"c\":[]}")
        #expect(JSONValue.double(3).serialized() == "3")
        #expect(JSONValue.double(1e20).serialized() == "1e+20")
    }

    @Test func prettyPrintingIndentsByTwoSpaces() {
        let value = JSONValue.object([("a", .array([.int(1), .object([])])), ("b", .object([("c", .null)])), ("d", .array([]))])
        #expect(value.serialized() == "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": null\n  },\n  \"d\": []\n}")
        #expect(String(decoding: value.serializedBytes(compact: true), as: UTF8.self) == #"{"a":[1,{}],"b":{"c":null},"d":[]}"#)
    }

    @Test func sortedKeysIsACanonicalForm() throws {
        let a = try JSONValue.parse(#"{"z": 1, "a": {"y": [true, false], "b": null}}"#)
        let b = try JSONValue.parse(#"{"a": {"b": null, "y": [true, false]}, "z": 1}"#)
        #expect(a != b)
        #expect(a.serialized(compact: true, sortedKeys: true) == #"{"a":{"b":null,"y":[true,false]},"z":1}"#)
        #expect(a.serializedBytes(compact: true, sortedKeys: true) == b.serializedBytes(compact: true, sortedKeys: true))
    }

    /// Numbers keep their exact text through a parse and a write; key order is kept.
    @Test(arguments: [
        #"{"rate":1.0000000000000001e-07,"n":-0,"big":123456789012345678901234567890}"#,
        #"[0.1,2E+5,"x",{"k":[]},null,true]"#,
        #"{"b":1,"a":2,"b":3}"#,
    ])
    func parseAndWriteRoundTrip(_ text: String) throws {
        #expect(try JSONValue.parse(text).serialized(compact: true) == text)
    }

    @Test func accessorsReadTheValues() throws {
        let value = try JSONValue.parse(#"{"s": "x", "i": 12, "f": 1e3, "neg": -5.5, "b": true, "a": [1], "o": {"k": "v"}}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["i"]?.intValue == 12)
        #expect(value["f"]?.intValue == 1000)
        #expect(value["neg"]?.intValue == nil)
        #expect(value["neg"]?.doubleValue == -5.5)
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.arrayValue == [.int(1)])
        #expect(value["o"]?["k"]?.stringValue == "v")
        #expect(value["o"]?.objectValue?.map(\.key) == ["k"])
        #expect(value["missing"] == nil)
        #expect(value["s"]?["k"] == nil)
        #expect(value.isObject && !(value["a"]?.isObject ?? true))
    }

    @Test func settingReplacesInPlaceOrAppends() throws {
        let value = try JSONValue.parse(#"{"model": "a", "stream": true}"#)
        #expect(value.setting("model", .string("b")).serialized(compact: true) == #"{"model":"b","stream":true}"#)
        #expect(value.setting("user", .string("u")).serialized(compact: true) == #"{"model":"a","stream":true,"user":"u"}"#)
        #expect(value.removing(["stream", "absent"]).serialized(compact: true) == #"{"model":"a"}"#)
        #expect(JSONValue.int(1).setting("a", .null) == .int(1))
    }

    @Test func collectStringsSkipsNamedMembers() throws {
        let value = try JSONValue.parse(#"[{"role": "user", "content": [{"type": "text", "text": "hi"}], "id": "skip"}, "x"]"#)
        var texts: [String] = []
        value.collectStrings(into: &texts, skippingKeys: ["id"])
        #expect(texts == ["user", "text", "hi", "x"])
    }

    @Test func escapesAndSurrogatePairsAreDecoded() throws {
        #expect(try JSONValue.parse(#""a\nb\t\"\\\/\u00e9\ud83d\ude00""#) == .string("a\nb\t\"\\/é😀"))
    }

    /// Errors name the line and column where the text stops being JSON.
    @Test(arguments: [
        ("{\"a\": 1,\n  \"b\" 2}", 2, 7),
        ("[1, 2", 1, 6),
        ("{\"a\": tru}", 1, 7),
        ("\n\n  @", 3, 3),
        ("{} x", 1, 4),
        ("\"open", 1, 6),
    ])
    func syntaxErrorsNameLineAndColumn(_ text: String, line: Int, column: Int) {
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
        }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test func membersCarryTheLineOfTheirValue() throws {
        let text = "{\n  \"gpt-4o\": {\n    \"mode\": \"chat\"\n  },\n  \"b\":\n    2\n}"
        let members = try #require(try JSONValue.parseMembers(Array(text.utf8)))
        #expect(members.map(\.key) == ["gpt-4o", "b"])
        #expect(members.map(\.line) == [2, 6])
        #expect(members[0].value["mode"]?.stringValue == "chat")
        #expect(try JSONValue.parseMembers(Array("[1]".utf8)) == nil)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parseMembers(Array("{\"a\": 1} 2".utf8)) }
    }
}
