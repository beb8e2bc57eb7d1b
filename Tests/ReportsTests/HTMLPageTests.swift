import Foundation
import Reports
import Testing

struct HTMLPageTests {
    @Test func pageIsSelfContained() {
        var page = HTMLPage(title: "A & B", subtitle: "sub")
        var table = TextTable(columns: [TextTable.Column("Name"), TextTable.Column("Cost", alignment: .right)])
        table.append(["<x>", "$1.00"])
        page.add(heading: "Table", html: HTMLPage.table(table))
        page.add(heading: "Chart", html: Histogram(title: "h", xLabel: "x", bins: [.init(lower: 0, upper: 1, count: 3)]).svg())
        let html = page.rendered()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>A &amp; B</title>"))
        #expect(html.contains("<td>&lt;x&gt;</td><td class=\"num\">$1.00</td>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        // The only URL is the SVG namespace.
        #expect(html.components(separatedBy: "http").count - 1 == 1)
    }
}
