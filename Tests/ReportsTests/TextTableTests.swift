import Testing

@testable import Reports

struct TextTableTests {
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
