import LedgerTestSupport
import Foundation
import Ledger
import Pricing
import Testing
import TokenomicsCore

@testable import Gateway

/// The dashboard in a real browser: headless Chromium (the distribution's `chromium` package) loads
/// the live page, which must render its SVG charts without console errors, and takes screenshots
/// at laptop and phone widths. Set `TOKENOMICS_DASHBOARD_SCREENSHOTS=DIR` to keep the PNGs.
struct DashboardBrowserTests {
    static let chromiumPath: String? = {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/chromium"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs Chromium headless on `url` with extra arguments; stdout and stderr go through files.
    static func chromium(_ arguments: [String], url: String, in directory: URL) async throws -> Run {
        let id = UUID().uuidString
        let out = directory.appendingPathComponent("\(id).out"), err = directory.appendingPathComponent("\(id).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromiumPath))
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--user-data-dir=\(directory.appendingPathComponent("profile-\(id)").path)", "--enable-logging=stderr", "--v=1",
        ] + arguments + [url]
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let status: Int32 = await withCheckedContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(returning: -1)
            }
        }
        return Run(status: status, stdout: try String(contentsOf: out, encoding: .utf8), stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Lines of Chromium's log that report a console message or a blocked resource.
    static func consoleErrors(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in
            line.contains(":CONSOLE") || line.contains("Uncaught") || line.contains("Refused to") || line.contains("Failed to load resource")
        }
    }

    @Test(.enabled(if: chromiumPath != nil, "needs chromium on PATH (apt-get install chromium)"), .timeLimit(.minutes(3)))
    func rendersChartsWithoutConsoleErrors() async throws {
        try await Harness.run(.sqlite) { h in
            try await DashboardTests.seed(h)
            let directory = ProcessInfo.processInfo.environment["TOKENOMICS_DASHBOARD_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("tokenomics-dashboard-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Chromium's profiles and logs go elsewhere, so the screenshot folder holds only the PNGs.
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tokenomics-chromium-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            // Basic credentials in the URL, answered after the challenge `?auth=basic` asks for.
            let url = "http://admin:\(Harness.adminKey)@127.0.0.1:\(h.port)/dashboard?auth=basic"

            let dom = try await Self.chromium(["--dump-dom", "--window-size=1280,2000"], url: url, in: scratch)
            #expect(dom.status == 0)
            #expect(dom.stdout.contains("Spend dashboard"), "the page did not load: \(dom.stdout.prefix(300))")
            #expect(dom.stdout.components(separatedBy: "<svg").count - 1 >= 4)
            #expect(dom.stdout.components(separatedBy: "<rect").count - 1 > 20)
            #expect(dom.stdout.contains("<polyline"))  // the Lorenz curve
            #expect(Self.consoleErrors(dom.stderr).isEmpty, "\(Self.consoleErrors(dom.stderr))")
            let rows = try await h.rows()
            let expected = ExpectedTotals(rows.filter { $0.milliseconds >= DashboardTests.periodStart })
            #expect(DashboardTests.attribute(dom.stdout, id: "tile-period", "data-usd") == expected.cost.exactString)
            #expect(dom.stdout.contains(expected.cost.formatted()))

            for (name, size) in [("dashboard.png", "1280,2000"), ("dashboard-phone.png", "390,2400")] {
                let file = directory.appendingPathComponent(name)
                try? FileManager.default.removeItem(at: file)
                let shot = try await Self.chromium(["--screenshot=\(file.path)", "--window-size=\(size)"], url: url, in: scratch)
                #expect(shot.status == 0)
                #expect(Self.consoleErrors(shot.stderr).isEmpty, "\(Self.consoleErrors(shot.stderr))")
                let png = try Data(contentsOf: file)
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
                #expect(png.count > 20_000)  // a blank page compresses to a few kilobytes
            }
        }
    }
}
