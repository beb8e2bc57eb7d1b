import Foundation
import Pricing
import TokenomicsCore

extension Plan {
    /// The plan as a YAML flow mapping that ``Plan/read(_:)`` reads back to the same plan:
    /// `{name: "Pro", kind: flat, price: 30}`. Amounts are exact decimals.
    ///
    /// `tokenomics analyze --plans P --fit-scenario F` carries the plans into the fitted scenario this way.
    public var yamlFlow: String {
        var fields = ["name: " + Self.quotedYAML(name)]
        switch kind {
        case .flat(let price):
            fields += ["kind: flat", "price: \(price.exactString)"]
        case .usage(let base, let included, let overage):
            fields += ["kind: usage", "base: \(base.exactString)", "included_interactions: \(included)", "overage_per_interaction: \(overage.exactString)"]
        case .credits(let packPrice, let packInteractions):
            fields += ["kind: credits", "pack_price: \(packPrice.exactString)", "pack_interactions: \(packInteractions)"]
        }
        if let capInteractions { fields.append("cap_interactions: \(capInteractions)") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// A YAML double-quoted string: `"say \"hi\""`, written as a JSON string literal (which YAML
    /// reads as the same text, control characters included).
    public static func quotedYAML(_ text: String) -> String {
        JSONValue.quote(text)
    }
}
