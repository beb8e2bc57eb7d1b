import Foundation
@testable import Gateway
import Pricing
import Testing
import TokenomicsCore

struct ConfigTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/gateway.yaml")

    @Test func theExampleConfigurationParses() throws {
        let config = try GatewayConfig.parse(try String(contentsOf: Self.example, encoding: .utf8), file: "gateway.yaml")
        #expect(config.port == 8080)
        #expect(config.upstreams.map(\.name) == ["openai", "anthropic"])
        #expect(config.upstreams[1].kind == .anthropic)
        #expect(config.upstreams[0].apiKeyEnv == "OPENAI_API_KEY")
        #expect(config.routes.aliases["fast"] == "gpt-4o-mini")
        #expect(config.routes.fallbacks["gpt-4o"] == ["gpt-4o-mini"])
        #expect(config.routes.features["summarise"] == "gpt-4o-mini")
        #expect(config.cache.ttl == .seconds(300))
        #expect(config.limits.keyRPM == 600)
        #expect(config.adminKeyEnv == "TOKENOMICS_ADMIN_KEY")
        #expect(config.upstreams[0].serves("gpt-4o-mini") && !config.upstreams[0].serves("claude-sonnet-4-5"))
    }

    @Test(arguments: [
        ("listen: {host: 127.0.0.1, prot: 80}\n", "line 1", "prot"),
        ("listen: {host: 127.0.0.1, port: 99999}\n", "line 1", "port"),
        ("upstreams:\n  - {name: a, kind: azure, base_url: 'http://x', models: ['*']}\n", "line 2", "kind"),
        ("upstreams:\n  - {name: a, kind: openai, base_url: 'http://x'}\n", "line 2", "models"),
        ("cache:\n  ttl: 5\n", "line 2", "ttl"),
        ("dashboard_warm_seconds: -1\n", "line 1", "dashboard_warm_seconds"),
    ])
    func mistakesNameTheirLineAndField(yaml: String, line: String, field: String) {
        do {
            _ = try GatewayConfig.parse(yaml, file: "bad.yaml")
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect(error.description.contains("bad.yaml"), "\(error)")
            #expect(error.description.contains(field), "\(error)")
        }
    }

    @Test func dashboardBackgroundPassDefaultsToAMinuteAndZeroTurnsItOff() throws {
        #expect(try GatewayConfig.parse("listen: {port: 8080}\n", file: "a.yaml").dashboardWarmInterval == .seconds(60))
        #expect(try GatewayConfig.parse("dashboard_warm_seconds: 5\n", file: "b.yaml").dashboardWarmInterval == .seconds(5))
        #expect(try GatewayConfig.parse("dashboard_warm_seconds: 0\n", file: "c.yaml").dashboardWarmInterval == nil)
    }

    @Test(arguments: [("gpt-*", "gpt-4o", true), ("gpt-*", "o3", false), ("claude-?-*", "claude-3-opus", true), ("*mini", "gpt-4o-mini", true), ("o3", "o3-mini", false)])
    func globs(pattern: String, name: String, matches: Bool) {
        #expect(Glob.matches(pattern: pattern, name) == matches)
    }
}
