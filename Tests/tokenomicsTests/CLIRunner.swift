import Foundation

/// Runs the built `tokenomics` binary, as a user would.
enum CLIRunner {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The debug binary `swift build` leaves in `.build/debug`.
    static var binary: URL {
        let candidates = [".build/debug/tokenomics", ".build/x86_64-unknown-linux-gnu/debug/tokenomics", ".build/aarch64-unknown-linux-gnu/debug/tokenomics"]
        for candidate in candidates {
            let url = repositoryRoot.appendingPathComponent(candidate)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appendingPathComponent(candidates[0])
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary with arguments, extra environment, optional standard input and working directory.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil, directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        if let directory { process.currentDirectoryURL = directory }
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a large output never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh, empty configuration folder, so tests never see the user's imported catalog.
    static func temporaryConfigHome() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenomics-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
