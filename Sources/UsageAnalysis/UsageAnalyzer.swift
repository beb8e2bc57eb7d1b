import Foundation
public import Pricing
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The format of a usage log.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Tell from the content.
    case auto
    /// Our JSON lines (DESIGN.md section 4).
    case jsonl
    /// OpenAI's usage export (CSV).
    case openaiCSV = "openai-csv"
    /// LiteLLM SpendLogs rows, as JSON lines or CSV.
    case litellm
    /// OpenTelemetry GenAI spans as OTLP JSON (one export request per line, or one document).
    case otel
}

/// Settings of an analysis.
public struct AnalysisOptions: Sendable {
    /// The format of every input (`auto` sniffs each one).
    public var inputFormat: InputFormat
    /// Stop at the first malformed line instead of counting it.
    public var strict: Bool
    /// How many byte ranges of a large plain JSON-lines file are aggregated at once.
    public var parallelism: Int
    /// The most distinct request hashes remembered for duplicate detection.
    public var duplicateLimit: Int
    /// Plain JSON-lines files at least this large are split into byte ranges for parallel work.
    public var minimumSplitBytes: Int = 32 << 20
    /// Standard input and gzip streams are cut into blocks of about this many bytes of whole lines,
    /// aggregated in parallel.
    public var streamBlockBytes: Int = 4 << 20

    public init(inputFormat: InputFormat = .auto, strict: Bool = false, parallelism: Int? = nil, duplicateLimit: Int = 50_000_000) {
        self.inputFormat = inputFormat
        self.strict = strict
        self.parallelism = max(1, parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
        self.duplicateLimit = duplicateLimit
    }
}

/// How far an analysis has got, reported after each block read.
public struct AnalysisProgress: Sendable {
    /// Bytes read so far (decompressed bytes for gzip inputs).
    public var bytes: Int
    /// The total size of the inputs when known (plain files only).
    public var totalBytes: Int?
    /// Events read so far.
    public var events: Int
    /// Seconds since the start.
    public var seconds: Double
}

/// Aggregates events from any source: feed it ``UsageEvent``s and take the ``result()``.
///
/// ```swift
/// var aggregator = UsageAggregator(catalog: try CatalogLoader().load())
/// for event in ledgerEvents { aggregator.add(event) }
/// let result = aggregator.result()
/// ```
public struct UsageAggregator: Sendable {
    var accumulator: Accumulator

    /// An empty aggregation that prices events from `catalog`.
    public init(catalog: Catalog) { accumulator = Accumulator(catalog: catalog) }

    /// Adds one event.
    public mutating func add(_ event: UsageEvent) { accumulator.add(event) }

    /// Counts a malformed record (the first ten are kept).
    public mutating func addBadLine(_ bad: BadLine) { accumulator.recordBadLine(file: bad.file, line: bad.line, reason: bad.reason) }

    /// Adds everything another aggregation saw (which comes after this one's input).
    public mutating func merge(_ other: UsageAggregator) { accumulator.merge(other.accumulator) }

    /// The results so far.
    public func result() -> AnalysisResult { accumulator.finish() }
}

/// Reads usage logs and aggregates them, in parallel where the input allows.
///
/// ```swift
/// let analyzer = UsageAnalyzer(catalog: try CatalogLoader().load())
/// let result = try await analyzer.analyze(["usage.jsonl.gz"])
/// print(result.totals.cost.formatted())
/// ```
public struct UsageAnalyzer: Sendable {
    public var catalog: Catalog
    public var options: AnalysisOptions

    public init(catalog: Catalog, options: AnalysisOptions = AnalysisOptions()) {
        self.catalog = catalog
        self.options = options
    }

    final class Progress: Sendable {
        let bytes = Atomic<Int>(0)
        let events = Atomic<Int>(0)
        let total: Int?
        let start = ContinuousClock.now
        let callback: (@Sendable (AnalysisProgress) -> Void)?

        init(total: Int?, callback: (@Sendable (AnalysisProgress) -> Void)?) {
            self.total = total
            self.callback = callback
        }

        func add(bytes: Int, events: Int) {
            let b = self.bytes.add(bytes, ordering: .relaxed).newValue
            let e = self.events.add(events, ordering: .relaxed).newValue
            guard let callback else { return }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            callback(AnalysisProgress(bytes: b, totalBytes: total, events: e, seconds: seconds))
        }
    }

    /// Analyses files (`-` for standard input), in order, as one log.
    ///
    /// - Throws: ``AnalysisError`` when an input cannot be read or, with `strict`, at the first
    ///   malformed line.
    public func analyze(_ inputs: [String], progress: (@Sendable (AnalysisProgress) -> Void)? = nil) async throws(AnalysisError) -> AnalysisResult {
        var total: Int? = 0
        for input in inputs {
            if input == "-" { total = nil; continue }
            var info = stat()
            if stat(input, &info) != 0 { throw .cannotOpen(file: input, reason: String(cString: strerror(errno))) }
            // open() succeeds on a directory and read() then fails mid-analysis: refuse it here.
            if (info.st_mode & S_IFMT) == S_IFDIR { throw .cannotOpen(file: input, reason: String(cString: strerror(EISDIR))) }
            total = total.map { $0 + Int(info.st_size) }
        }
        let tracker = Progress(total: total, callback: progress)
        var combined: Accumulator? = nil
        for input in inputs {
            let part = try await analyzeOne(input, tracker: tracker, first: combined == nil)
            if combined == nil { combined = part } else { combined!.merge(part) }
        }
        return (combined ?? Accumulator(catalog: catalog)).finish()
    }

    /// A new accumulator. Only the very first part of an analysis is never merged into another,
    /// so only it may drop first-occurrence costs from its duplicate table.
    func freshAccumulator(first: Bool, expectedEvents: Int) -> Accumulator {
        var acc = Accumulator(catalog: catalog)
        acc.duplicates = FingerprintTable(limit: options.duplicateLimit, storesCosts: !first, capacity: min(expectedEvents, options.duplicateLimit))
        return acc
    }

    private func analyzeOne(_ input: String, tracker: Progress, first: Bool) async throws(AnalysisError) -> Accumulator {
        let name = input
        let fd: Int32 = input == "-" ? 0 : open(input, O_RDONLY)
        if fd < 0 { throw .cannotOpen(file: input, reason: String(cString: strerror(errno))) }
        defer { if fd != 0 { close(fd) } }

        var size = 0
        var isRegular = false
        var gzip = false
        if fd != 0 {
            var info = stat()
            fstat(fd, &info)
            isRegular = (info.st_mode & S_IFMT) == S_IFREG
            size = Int(info.st_size)
            if isRegular {
                var magic: [UInt8] = [0, 0]
                if pread(fd, &magic, 2, 0) == 2, magic == [0x1F, 0x8B] { gzip = true }
            }
        }

        if gzip {
            // Stream through `gzip -dc`: memory stays bounded whatever the file's size.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec gzip -dc -- \"$0\"", input]
            let pipe = Pipe()
            process.standardOutput = pipe
            let errors = Pipe()
            process.standardError = errors
            do { try process.run() } catch { throw .cannotOpen(file: input, reason: "cannot run gzip: \(error)") }
            let readFD = pipe.fileHandleForReading.fileDescriptor
            let result: Accumulator
            do {
                result = try await analyzeStream(fd: readFD, name: name, tracker: tracker, first: first)
            } catch {
                // Stop gzip: close our end (it gets EPIPE) and signal it, then reap it.
                try? pipe.fileHandleForReading.close()
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw error
            }
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw .cannotOpen(file: input, reason: "gzip failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return result
        }

        if !isRegular { return try await analyzeStream(fd: fd, name: name, tracker: tracker, first: first) }

        // A regular file: sniff, then split large JSON lines into ranges aggregated in parallel.
        var head = [UInt8](repeating: 0, count: min(size, 65_536))
        if !head.isEmpty { _ = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) } }
        let format = try options.inputFormat == .auto ? Sniffer.sniff(head, file: name) : options.inputFormat
        let lineLength = max(16, head.count / max(1, head.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }))
        guard format == .jsonl, size >= max(1, options.minimumSplitBytes), options.parallelism > 1 else {
            return try readSequential(
                format: format, reader: LineReader(fd: fd, start: 0, end: nil), name: name, tracker: tracker,
                accumulator: freshAccumulator(first: first, expectedEvents: size / lineLength))
        }
        let parts = options.parallelism
        let fileSize = size
        let bounds = (0...parts).map { Int64(size) * Int64($0) / Int64(parts) }
        var results: [(Int, Result<Accumulator, AnalysisError>)] = await withTaskGroup(of: (Int, Result<Accumulator, AnalysisError>).self) { group in
            for index in 0..<parts {
                group.addTask {
                    do {
                        let reader = LineReader(fd: fd, start: bounds[index], end: bounds[index + 1])
                        // The first range's table later takes the others' keys: size it for the whole file.
                        let expected = index == 0 ? fileSize / lineLength : Int(bounds[index + 1] - bounds[index]) / lineLength
                        let acc = self.freshAccumulator(first: first && index == 0, expectedEvents: expected)
                        return (index, .success(try self.readSequential(format: .jsonl, reader: reader, name: name, tracker: tracker, accumulator: acc)))
                    } catch let error as AnalysisError {
                        return (index, .failure(error))
                    } catch {
                        return (index, .failure(.io("\(error)")))
                    }
                }
            }
            var collected: [(Int, Result<Accumulator, AnalysisError>)] = []
            for await item in group { collected.append(item) }
            return collected.sorted { $0.0 < $1.0 }
        }
        var merged: Accumulator? = nil
        var linesBefore = 0
        // Take each part out of the array before merging, so no second reference forces a copy.
        results.reverse()
        while let (_, result) = results.popLast() {
            switch result {
            case .failure(let error):
                if case .badLine(var bad) = error {
                    bad.line += linesBefore
                    throw .badLine(bad)
                }
                throw error
            case .success(var part):
                for index in part.badLines.indices { part.badLines[index].line += linesBefore }
                linesBefore += part.lines
                if merged == nil { merged = part } else { merged!.merge(part) }
            }
        }
        return merged!
    }

    /// Reads a non-seekable input: the first block is sniffed, then the rest streams.
    private func analyzeStream(fd: Int32, name: String, tracker: Progress, first: Bool) async throws(AnalysisError) -> Accumulator {
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while head.count < 65_536 {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 65_536 - head.count) }
            if got < 0 { if errno == EINTR { continue }; throw .io("cannot read '\(name)': \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            head += chunk[0..<got]
        }
        let format = try options.inputFormat == .auto ? Sniffer.sniff(head, file: name) : options.inputFormat
        if format == .jsonl && options.parallelism > 1 && head.count == 65_536 {
            return try await streamInParallel(fd: fd, head: head, name: name, tracker: tracker, first: first)
        }
        var reader = LineReader(fd: fd, start: nil, end: nil)
        reader.prefix = head
        return try readSequential(format: format, reader: reader, name: name, tracker: tracker, accumulator: freshAccumulator(first: first, expectedEvents: 0))
    }

    /// A JSON-lines stream (standard input, gzip) on every core: this task reads blocks of whole
    /// lines, child tasks aggregate them, and the parts are merged in stream order.
    private func streamInParallel(fd: Int32, head: [UInt8], name: String, tracker: Progress, first: Bool) async throws(AnalysisError) -> Accumulator {
        let blockSize = max(1, options.streamBlockBytes)
        let strict = options.strict
        var carry = head
        var atEOF = false
        var nextIndex = 0
        var nextToMerge = 0
        var ready: [Int: Result<Accumulator, AnalysisError>] = [:]
        var merged: Accumulator? = nil
        var linesBefore = 0
        var failure: AnalysisError? = nil

        /// The next block of whole lines (the last, unterminated line only at the end).
        func readBlock() throws(AnalysisError) -> [UInt8]? {
            if atEOF && carry.isEmpty { return nil }
            var block = carry
            carry = []
            block.reserveCapacity(blockSize + 65_536)
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while !atEOF && block.count < blockSize {
                let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw .io("cannot read '\(name)': \(String(cString: strerror(errno)))")
                }
                if got == 0 { atEOF = true; break }
                block += buffer[0..<got]
            }
            if !atEOF, let lastNewline = block.lastIndex(of: 0x0A) {
                carry = Array(block[(lastNewline + 1)...])
                block.removeSubrange((lastNewline + 1)...)
            }
            return block.isEmpty && atEOF ? nil : block
        }

        func mergeReady() {
            while let result = ready.removeValue(forKey: nextToMerge) {
                nextToMerge += 1
                guard failure == nil else { continue }
                switch result {
                case .failure(let error):
                    if case .badLine(var bad) = error {
                        bad.line += linesBefore
                        failure = .badLine(bad)
                    } else {
                        failure = error
                    }
                case .success(var part):
                    for index in part.badLines.indices { part.badLines[index].line += linesBefore }
                    linesBefore += part.lines
                    if merged == nil { merged = part } else { merged!.merge(part) }
                }
            }
        }

        typealias Outcome = (Int, Result<Accumulator, AnalysisError>)
        await withTaskGroup(of: Outcome.self) { group in
            var inFlight = 0
            while true {
                while failure == nil && inFlight < options.parallelism + 1 {
                    let block: [UInt8]?
                    do { block = try readBlock() } catch let error as AnalysisError {
                        failure = error
                        break
                    } catch {
                        failure = .io("\(error)")
                        break
                    }
                    guard let block else { break }
                    let index = nextIndex
                    nextIndex += 1
                    let accumulator = freshAccumulator(first: first && index == 0, expectedEvents: 0)
                    group.addTask {
                        var acc = accumulator
                        var parser = JSONLParser()
                        var strictError: BadLine? = nil
                        block.withUnsafeBytes { raw in
                            var start = 0
                            let count = raw.count
                            var number = 0
                            while start < count {
                                var end = start
                                if let found = memchr(raw.baseAddress! + start, 0x0A, count - start) {
                                    end = raw.baseAddress!.distance(to: UnsafeRawPointer(found))
                                } else {
                                    end = count
                                }
                                number += 1
                                var stop = end
                                if stop > start, raw[stop - 1] == 0x0D { stop -= 1 }
                                let line = UnsafeRawBufferPointer(rebasing: raw[start..<stop])
                                if let reason = parser.parse(line, into: &acc), !reason.isEmpty {
                                    if strict {
                                        strictError = BadLine(file: name, line: number, reason: reason)
                                        return
                                    }
                                    acc.recordBadLine(file: name, line: number, reason: reason)
                                }
                                start = end + 1
                            }
                            acc.lines = number
                        }
                        tracker.add(bytes: block.count, events: acc.totals.events)
                        if let strictError { return (index, .failure(.badLine(strictError))) }
                        return (index, .success(acc))
                    }
                    inFlight += 1
                }
                guard inFlight > 0, let (index, result) = await group.next() else { break }
                inFlight -= 1
                ready[index] = result
                mergeReady()
            }
        }
        mergeReady()
        if let failure { throw failure }
        return merged ?? freshAccumulator(first: first, expectedEvents: 0)
    }

    /// Reads one input (or one byte range of it) on the calling thread.
    func readSequential(format: InputFormat, reader: LineReader, name: String, tracker: Progress, accumulator acc: consuming Accumulator) throws(AnalysisError) -> Accumulator {
        // `consuming`: the caller's accumulator is moved in, so mutating it copies nothing.
        let strict = options.strict
        var eventsReported = 0
        switch format {
        case .jsonl, .auto:
            var parser = JSONLParser()
            var strictError: BadLine? = nil
            acc.lines = try reader.forEachLine(progress: { bytes in
                tracker.add(bytes: bytes, events: acc.totals.events - eventsReported)
                eventsReported = acc.totals.events
            }) { line, number in
                if let reason = parser.parse(line, into: &acc), !reason.isEmpty {
                    if strict {
                        strictError = BadLine(file: name, line: number, reason: reason)
                        return false
                    }
                    acc.recordBadLine(file: name, line: number, reason: reason)
                }
                return true
            }
            if let strictError { throw .badLine(strictError) }
        case .openaiCSV, .litellm, .otel:
            var recordReader = RecordReader(format: format, file: name)
            var strictError: BadLine? = nil
            acc.lines = try reader.forEachLine(progress: { bytes in
                tracker.add(bytes: bytes, events: acc.totals.events - eventsReported)
                eventsReported = acc.totals.events
            }) { line, number in
                let outcome = recordReader.feed(line, number: number)
                for event in outcome.events { acc.add(event) }
                if let bad = outcome.bad {
                    if strict { strictError = bad; return false }
                    acc.recordBadLine(file: bad.file, line: bad.line, reason: bad.reason)
                }
                return true
            }
            if let strictError { throw .badLine(strictError) }
            let outcome = recordReader.finish()
            for event in outcome.events { acc.add(event) }
            if let bad = outcome.bad {
                if strict { throw .badLine(bad) }
                acc.recordBadLine(file: bad.file, line: bad.line, reason: bad.reason)
            }
        }
        return acc
    }
}
