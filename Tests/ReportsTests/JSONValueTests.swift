import Pricing
import Testing

@testable import Reports

struct JSONValueTests {
    @Test func moneyIsAnExactJSONNumber() throws {
        let value = JSONValue.object([("total_usd", .money(try Money(exactly: "0.0000000125"))), ("n", .int(3))])
        #expect(value.serialized(compact: true) == "{\"total_usd\":0.0000000125,\"n\":3}")
    }

    @Test func stringsAreEscaped() {
        #expect(JSONValue.string("a\"b\\c\n\u{1}").serialized() == "\"a\\\"b\\\\c\\n\\u0001\"")
    }

    @Test func keysKeepTheirOrderAndNonFiniteIsNull() {
        let value = JSONValue.object([("b", .double(.nan)), ("a", .double(0.5)), ("c", .array([]))])
        #expect(value.serialized(compact: true) == "{\"b\":null,\"a\":0.5,\"c\":[]}")
    }

    @Test func textTableAlignsColumns() {
        var table = TextTable(columns: [.init("name"), .init("cost", alignment: .right)])
        table.append(["a", "$1.00"])
        table.append(["longer", "$10.00"])
        #expect(table.rendered() == "name      cost\n------  ------\na        $1.00\nlonger  $10.00")
        #expect(table.markdown().hasPrefix("| name | cost |\n|---|---:|"))
    }

    @Test func tokensHaveThousandsSeparators() {
        #expect(formatTokens(1_234_567) == "1,234,567")
        #expect(formatTokens(999) == "999")
    }
}
