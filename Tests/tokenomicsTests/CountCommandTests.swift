import ArgumentParser
import Foundation
import Synchronization
import Testing
import Tokenizers
@testable import tokenomics

/// `tokenomics count` on files, directories, standard input, binary files and invalid UTF-8.
struct CountCommandTests {
    /// A fresh temporary directory with some files.
    static func makeTree() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("count-\(UUID().uuidString)")
        let sub = root.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try Data("hello world".utf8).write(to: root.appendingPathComponent("a.txt"))
        try Data("hello world again".utf8).write(to: sub.appendingPathComponent("b.md"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x02]).write(to: sub.appendingPathComponent("c.png"))
        try Data([0x68, 0x69, 0xFF, 0xFE, 0x21]).write(to: root.appendingPathComponent("bad.txt"))
        try Data("hidden".utf8).write(to: root.appendingPathComponent(".hidden"))
        return root
    }

    static func command(_ arguments: [String]) throws -> Tokenomics.Count {
        let parsed = try Tokenomics.parseAsRoot(["count"] + arguments)
        return try #require(parsed as? Tokenomics.Count)
    }

    @Test func countsFilesAndDirectories() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let output = try Self.command([root.path, "--encoding", "cl100k_base"]).makeOutput(standardInput: { Data() })
        #expect(output.encoding == "cl100k_base")
        #expect(output.files.map(\.path) == ["a.txt", "bad.txt", "sub/b.md"].map { root.path + "/" + $0 })
        #expect(output.files[0].tokens == 2)
        #expect(output.files[2].tokens == 3)
        #expect(output.skipped == [root.path + "/sub/c.png"])
        #expect(output.warnings.contains { $0.contains("binary file skipped") })
        #expect(output.warnings.contains { $0.contains("bad.txt") && $0.contains("UTF-8") })
        #expect(output.total == output.files.reduce(0) { $0 + $1.tokens })
        let table = output.table()
        #expect(table.contains("total"))
        #expect(table.contains("encoding: cl100k_base"))
    }

    /// Many files are read and counted on every core, and come out in the order of the walk, each
    /// with its own count; the progress callback sees every file and byte.
    @Test func manyFilesInParallelKeepTheirOrderAndCounts() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("count-many-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var expected: [(path: String, text: String)] = []
        for index in 0..<150 {
            let directory = root.appendingPathComponent("d\(index % 7)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let text = String(repeating: "word\(index) 你好 ", count: 1 + (index * 37) % 400)
            let url = directory.appendingPathComponent(String(format: "f%03d.txt", index))
            try Data(text.utf8).write(to: url)
            expected.append((url.path, text))
        }
        expected.sort { $0.path < $1.path }
        let output = try Self.command([root.path]).makeOutput(standardInput: { Data() })
        let encoding = try Encoding.load(.o200kBase)
        #expect(output.files.map(\.path) == expected.map(\.path))
        #expect(output.files.map(\.tokens) == expected.map { encoding.count($0.text) })

        let calls = Atomic<Int>(0)
        let lastBytes = Atomic<Int>(0)
        let counted = try TextFiles.count(expected.map(\.path), with: encoding) { files, bytes in
            calls.add(1, ordering: .relaxed)
            lastBytes.max(bytes, ordering: .relaxed)
        }
        #expect(counted == expected.map { .tokens(encoding.count($0.text), replacedInvalidUTF8: false) })
        #expect(calls.load(ordering: .relaxed) == expected.count)
        #expect(lastBytes.load(ordering: .relaxed) == expected.reduce(0) { $0 + $1.text.utf8.count })
    }

    @Test func jsonOutput() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("a.txt").path
        let output = try Self.command([file, "--json"]).makeOutput(standardInput: { Data() })
        let object = try JSONSerialization.jsonObject(with: Data(output.json().utf8)) as! [String: Any]
        #expect(object["encoding"] as? String == "o200k_base")
        #expect(object["total"] as? Int == 2)
        let files = object["files"] as! [[String: Any]]
        #expect(files.count == 1)
        #expect(files[0]["path"] as? String == file)
        #expect(files[0]["tokens"] as? Int == 2)
    }

    @Test func standardInputAndSpecialTokens() throws {
        let text = Data("a<|endoftext|>b".utf8)
        let ordinary = try Self.command(["--encoding", "cl100k_base"]).makeOutput(standardInput: { text })
        #expect(ordinary.files == [.init(path: "-", tokens: 9)])  // tiktoken encode_ordinary: 9
        let special = try Self.command(["--encoding", "cl100k_base", "--allow-special"])
            .makeOutput(standardInput: { text })
        #expect(special.total == 3)
        let invalid = try Self.command([]).makeOutput(standardInput: { Data([0x61, 0xC3]) })
        #expect(invalid.warnings.count == 1)
        #expect(invalid.total >= 1)
    }

    @Test func modelsAndEstimates() throws {
        let gpt = try Self.command(["--model", "gpt-4", "--json"]).makeOutput(standardInput: { Data("hello world".utf8) })
        #expect(gpt.encoding == "cl100k_base")
        #expect(gpt.total == 2)
        #expect(!gpt.isEstimate)
        let claude = try Self.command(["--model", "claude-sonnet-4"]).makeOutput(
            standardInput: { Data(String(repeating: "hello world ", count: 10).utf8) })
        #expect(claude.isEstimate)
        #expect(claude.table().contains("estimate"))
        let json = claude.json()
        #expect(json.contains("\"estimate\": true"))
    }

    @Test func chatRequest() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let chat = root.appendingPathComponent("chat.json")
        try Data(#"{"messages": [{"role": "user", "content": "hello world"}]}"#.utf8).write(to: chat)
        let output = try Self.command(["--chat", chat.path, "--model", "gpt-4o"]).makeOutput(standardInput: { Data() })
        #expect(output.total == 3 + 1 + 2 + 3)
        #expect(output.chatMessages == 1)
    }

    @Test func badInput() throws {
        #expect(throws: (any Error).self) { try Self.command(["--encoding", "nope"]) }
        #expect(throws: (any Error).self) { try Self.command(["--encoding", "cl100k_base", "--model", "gpt-4"]) }
        #expect(throws: (any Error).self) { try Self.command(["--model", "unknown-model-xyz"]) }
        #expect(throws: TokenizerError.self) {
            try Self.command(["/nonexistent/path"]).makeOutput(standardInput: { Data() })
        }
        // A malformed chat request or tokenizer file is named in the error.
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let chat = root.appendingPathComponent("chat.json")
        try Data(#"{"messages": [{"role": "user", "content": 5}]}"#.utf8).write(to: chat)
        #expect(throws: TokenizerError.invalidChat("message 1 has content that is neither text nor parts", path: chat.path)) {
            try Self.command(["--chat", chat.path]).makeOutput(standardInput: { Data() })
        }
        let tokenizer = root.appendingPathComponent("tokenizer.json")
        try Data("[]".utf8).write(to: tokenizer)
        do {
            _ = try Self.command(["--tokenizer", tokenizer.path]).makeOutput(standardInput: { Data() })
            Issue.record("a tokenizer.json that is not an object was accepted")
        } catch let error as TokenizerError {
            #expect(error == .invalidTokenizerJSON("not a JSON object", path: tokenizer.path))
            #expect(error.description == "\(tokenizer.path) is not a usable tokenizer.json: not a JSON object.")
        }
        // A missing file is named with the system's reason, not Foundation's boilerplate.
        #expect(throws: TokenizerError.unreadableFile(path: "/nonexistent/chat.json", reason: "no such file or directory")) {
            try Self.command(["--chat", "/nonexistent/chat.json"]).makeOutput(standardInput: { Data() })
        }
        #expect(throws: TokenizerError.unreadableFile(path: root.path, reason: "is a directory")) {
            try Self.command(["--tokenizer", root.path]).makeOutput(standardInput: { Data() })
        }
        #expect(TokenizerError.unreadableFile(path: "x", reason: "y").isInputError)
        #expect(!TokenizerError.checksumMismatch(name: "a", expected: "b", actual: "c").isInputError)
    }

    @Test func huggingFaceTokenizer() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/data/vocab/deepseek_tokenizer.json").path
        let output = try Self.command(["--tokenizer", path]).makeOutput(standardInput: { Data("hello world".utf8) })
        #expect(output.encoding == "deepseek_tokenizer.json")
        #expect(output.total == 2)
    }
}
