public import Foundation
import Synchronization

/// Reads the text of files for counting: directories are walked recursively, binary files are
/// recognised and skipped, and bytes that are not valid UTF-8 become U+FFFD with a note.
public enum TextFiles: Sendable {
    /// What reading one input gave.
    public enum Content: Sendable, Equatable {
        /// Text; `replacedInvalidUTF8` is true when invalid bytes became U+FFFD.
        case text(String, replacedInvalidUTF8: Bool)
        /// A binary file (it has a NUL byte in its first 8 KiB), not counted.
        case binary
    }

    /// Decodes bytes as UTF-8, or reports them as binary.
    public static func decode(_ data: Data) -> Content {
        let head = data.prefix(8192)
        if head.contains(0) { return .binary }
        if let text = String(validating: data, as: UTF8.self) {
            return .text(text, replacedInvalidUTF8: false)
        }
        return .text(String(decoding: data, as: UTF8.self), replacedInvalidUTF8: true)
    }

    /// Reads and decodes one file.
    /// - Throws: ``TokenizerError/unreadableFile(path:reason:)``.
    public static func read(_ path: String) throws(TokenizerError) -> Content {
        decode(try bytes(of: path))
    }

    /// The text of a file that must be UTF-8 (a configuration or a scenario, not text to count).
    /// - Throws: ``TokenizerError/unreadableFile(path:reason:)``: the system's reason, or "not UTF-8 text".
    public static func utf8Text(of path: String) throws(TokenizerError) -> String {
        guard let text = String(data: try bytes(of: path), encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// The bytes of one file (mapped when that is safe).
    /// - Throws: ``TokenizerError/unreadableFile(path:reason:)``, with the system's reason.
    public static func bytes(of path: String, options: Data.ReadingOptions = []) throws(TokenizerError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: options)
        } catch {
            // Foundation's own text begins "The operation could not be completed"; the underlying
            // POSIX error says what happened ("no such file or directory", "is a directory").
            guard let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? POSIXError else {
                throw .unreadableFile(path: path, reason: error.localizedDescription)
            }
            let reason = String(cString: strerror(posix.code.rawValue))
            throw .unreadableFile(path: path, reason: reason.prefix(1).lowercased() + reason.dropFirst())
        }
    }

    /// The files that `paths` name: files as given, directories walked recursively in sorted order
    /// (hidden files and folders inside them are skipped).
    /// - Throws: ``TokenizerError/unreadableFile(path:reason:)`` for a path that does not exist.
    public static func expand(_ paths: [String]) throws(TokenizerError) -> [String] {
        var out: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .unreadableFile(path: path, reason: "no such file or directory")
            }
            if !isDirectory.boolValue {
                out.append(path)
                continue
            }
            let base = URL(fileURLWithPath: path)
            guard let walker = manager.enumerator(
                at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
            else { throw .unreadableFile(path: path, reason: "cannot list the directory") }
            var found: [String] = []
            for case let url as URL in walker {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
                    let relative = url.path.hasPrefix(base.path + "/")
                        ? String(url.path.dropFirst(base.path.count + 1)) : url.lastPathComponent
                    found.append(path.hasSuffix("/") ? path + relative : path + "/" + relative)
                }
            }
            out.append(contentsOf: found.sorted())
        }
        return out
    }

    /// What counting one file gave.
    public enum Counted: Sendable, Equatable {
        /// Its tokens; `replacedInvalidUTF8` is true when invalid bytes became U+FFFD.
        case tokens(Int, replacedInvalidUTF8: Bool)
        /// A binary file, not counted.
        case binary
    }

    /// Counts one file's content (nothing for a binary file).
    public static func count(
        _ content: Content, with counter: any TokenCounter, allowedSpecial: AllowedSpecial = .none
    ) -> Counted {
        switch content {
        case .binary: .binary
        case .text(let text, let replaced):
            .tokens(counter.count(text, allowedSpecial: allowedSpecial), replacedInvalidUTF8: replaced)
        }
    }

    /// Reads and counts `paths` on every core, one file per core at a time (so memory holds a few
    /// files, not all of them), and returns the results in the order of `paths`.
    /// - Parameter progress: called from the worker threads after each file with the number of
    ///   files done and the bytes read so far.
    /// - Throws: the ``TokenizerError/unreadableFile(path:reason:)`` of the first unreadable file
    ///   in the order of `paths`.
    public static func count(
        _ paths: [String], with counter: any TokenCounter, allowedSpecial: AllowedSpecial = .none,
        progress: (@Sendable (_ files: Int, _ bytes: Int) -> Void)? = nil
    ) throws(TokenizerError) -> [Counted] {
        let done = Atomic<Int>(0)
        let bytes = Atomic<Int>(0)
        let results = parallelMap(paths) { path -> Result<Counted, TokenizerError> in
            let data: Data
            do throws(TokenizerError) { data = try TextFiles.bytes(of: path) } catch { return .failure(error) }
            let counted = count(decode(data), with: counter, allowedSpecial: allowedSpecial)
            let files = done.add(1, ordering: .relaxed).newValue
            let total = bytes.add(data.count, ordering: .relaxed).newValue
            progress?(files, total)
            return .success(counted)
        }
        return try results.map { result throws(TokenizerError) in try result.get() }
    }
}
