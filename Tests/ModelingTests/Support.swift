import Foundation
import Modeling
import Pricing
import TokenomicsCore

/// The bundled catalog, loaded once.
let catalog: Catalog = try! CatalogLoader.bundled()

/// The repository root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func scenario(_ yaml: String, file: String = "test.yaml") throws -> Scenario {
    try Scenario.read(text: yaml, file: file, catalog: catalog)
}

func rate(_ model: String, _ key: RateKey) -> Money {
    try! catalog.model(named: model).rates[key]!
}
