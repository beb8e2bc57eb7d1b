// Measures the Tokenizers target: encode and count throughput per corpus and encoding (one thread),
// load time and memory. Prints one JSON object per line; run.sh joins them with the Python peers.
import Foundation
import Tokenizers

let arguments = CommandLine.arguments
let corpusDirectory = arguments.count > 1 ? arguments[1] : "../../../shared/data/corpus"
let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
let files = ["prose.txt", "code.txt", "multi.txt"]

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// CPU time of this thread: robust to the preemption of a shared machine.
func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// CPU time of the whole process (all threads).
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Wall and CPU seconds of `body`.
func measure(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    let cpu0 = threadCPUSeconds()
    let wall = seconds(ContinuousClock().measure(body))
    return (wall, threadCPUSeconds() - cpu0)
}

func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let digits = line.filter(\.isNumber)
        return (Int(digits) ?? 0) * 1024
    }
    return 0
}

func fnv(_ ids: [Int]) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for id in ids { h = (h ^ UInt64(id)) &* 0x100_0000_01B3 }
    return String(h, radix: 16)
}

/// Request-sized inputs, as a gateway counts them: the file's lines grouped into chunks of at least
/// 2,000 bytes (each ends after a newline), at most 1,000 of them, one call per chunk. Each timed
/// pass starts with cleared caches and goes through the chunks in order, so later chunks find the
/// words of earlier ones cached, as later requests do in a running process. peers.py cuts the same
/// chunks.
func chunks(of text: String) -> [String] {
    var out: [String] = []
    var start = text.utf8.startIndex
    var length = 0
    for index in text.utf8.indices {
        length += 1
        if text.utf8[index] == 0x0A && length >= 2_000 {
            let end = text.utf8.index(after: index)
            out.append(String(text[start..<end]))
            start = end
            length = 0
            if out.count == 1_000 { return out }
        }
    }
    if start < text.utf8.endIndex { out.append(String(text[start...])) }
    return out
}

func requestSized(_ enc: Encoding, name: String, file: String, text: String) {
    let pieces = chunks(of: text)
    let bytes = Double(pieces.reduce(0) { $0 + $1.utf8.count })
    var ids: [Int] = []
    var encodeCPU = Double.infinity
    var countCPU = Double.infinity
    var count = 0
    for _ in 0..<repeats {
        enc.clearCaches()
        encodeCPU = min(encodeCPU, measure {
            ids = []
            for piece in pieces { ids += enc.encodeOrdinary(piece) }
        }.cpu)
        enc.clearCaches()
        countCPU = min(countCPU, measure {
            count = 0
            for piece in pieces { count += enc.count(piece) }
        }.cpu)
    }
    precondition(count == ids.count)
    print(#"{"kind":"chunks","encoding":"\#(name)","file":"\#(file)","chunks":\#(pieces.count),"bytes":\#(Int(bytes)),"tokens":\#(ids.count),"hash":"\#(fnv(ids))","encode_cpu_mbps":\#(bytes / encodeCPU / 1e6),"count_cpu_mbps":\#(bytes / countCPU / 1e6)}"#)
}

let clock = ContinuousClock()
if arguments.count > 1 && arguments[1] == "--long" {
    // Long pieces: TokenizerBenchmark --long DIR REPEATS (files written by long_pieces.py).
    let directory = arguments[2]
    let longRepeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
    for name in [EncodingName.cl100kBase, .o200kBase] {
        let enc = try! Encoding.load(name)
        // The first 128 KB of long pieces build the backtracking tables: time that once.
        let before = enc.memoryFootprint
        let setup = measure { _ = enc.count(String(repeating: "x", count: 131_072)) }
        print(#"{"kind":"long-setup","encoding":"\#(name.rawValue)","cpu_s":\#(setup.cpu),"bytes":\#(enc.memoryFootprint - before)}"#)
        for file in ["prose", "letters", "aaaa", "base64", "cjk"] {
            let text = try! String(contentsOfFile: directory + "/" + file + ".txt", encoding: .utf8)
            var ids: [Int] = []
            var count = 0
            var encodeCPU = Double.infinity
            var countCPU = Double.infinity
            for _ in 0..<longRepeats {
                enc.clearCaches()
                encodeCPU = min(encodeCPU, measure { ids = enc.encodeOrdinary(text) }.cpu)
                enc.clearCaches()
                countCPU = min(countCPU, measure { count = enc.count(text) }.cpu)
            }
            precondition(count == ids.count)
            print(#"{"kind":"long","encoding":"\#(name.rawValue)","file":"\#(file)","bytes":\#(text.utf8.count),"tokens":\#(ids.count),"hash":"\#(fnv(ids))","encode_cpu_s":\#(encodeCPU),"count_cpu_s":\#(countCPU)}"#)
        }
    }
    exit(0)
}
if arguments.count > 3 {
    // Profile mode: TokenizerBenchmark FILE REPEATS ENCODING [count]
    let enc = try! Encoding.load(named: arguments[3])
    let text = try! String(contentsOfFile: arguments[1], encoding: .utf8)
    _ = enc.count(String(repeating: "x", count: 131_072))  // builds the backtracking tables
    var total = enc.count(text)  // warm up
    var best = Double.infinity
    for _ in 0..<repeats {
        enc.clearCaches()  // each timed call sees the text for the first time
        let t = measure { total += arguments.count > 4 ? enc.count(text) : enc.encodeOrdinary(text).count }
        best = min(best, t.cpu)
    }
    print(total, "best thread CPU s:", best, "MB/s:", Double(text.utf8.count) / best / 1e6)
    exit(0)
}
for name in [EncodingName.cl100kBase, .o200kBase] {
    let before = residentBytes()
    var encoding: Encoding?
    let loadTime = clock.measure {
        encoding = try! Encoding.load(name)  // first load: read, verify SHA-256, parse, build table
    }
    // Best of 5 further loads (with and without the SHA-256 check): the first load above also pays
    // for page faults and for building the shared Unicode table.
    let path = Bundle.main.bundleURL.appendingPathComponent("Tokenomics_Tokenizers.resources/\(name.rawValue).tiktoken").path
    var verifiedBest = Double.infinity
    var unverifiedBest = Double.infinity
    var verifiedCPU = Double.infinity
    var unverifiedCPU = Double.infinity
    for _ in 0..<5 {
        var cpu0 = processCPUSeconds()
        verifiedBest = min(verifiedBest, seconds(clock.measure {
            _ = try! Encoding(name: name.rawValue, rankFile: path, pattern: name.pattern,
                              specialTokens: name.specialTokens, sha256: name.sha256)
        }))
        verifiedCPU = min(verifiedCPU, processCPUSeconds() - cpu0)
        cpu0 = processCPUSeconds()
        unverifiedBest = min(unverifiedBest, seconds(clock.measure {
            _ = try! Encoding(name: name.rawValue, rankFile: path, pattern: name.pattern, specialTokens: name.specialTokens)
        }))
        unverifiedCPU = min(unverifiedCPU, processCPUSeconds() - cpu0)
    }
    let after = residentBytes()
    let enc = encoding!
    print(#"{"kind":"load","encoding":"\#(name.rawValue)","first_ms":\#(seconds(loadTime) * 1000),"ms":\#(verifiedBest * 1000),"ms_without_sha256":\#(unverifiedBest * 1000),"cpu_ms":\#(verifiedCPU * 1000),"cpu_ms_without_sha256":\#(unverifiedCPU * 1000),"rss_bytes":\#(after - before),"table_bytes":\#(enc.memoryFootprint)}"#)
    for file in files {
        let text = try! String(contentsOfFile: corpusDirectory + "/" + file, encoding: .utf8)
        let bytes = Double(text.utf8.count)
        _ = enc.count(text)  // warm up
        var ids: [Int] = []
        var best = (wall: Double.infinity, cpu: Double.infinity)
        for _ in 0..<repeats {
            enc.clearCaches()  // each timed call sees the text for the first time
            let t = measure { ids = enc.encodeOrdinary(text) }
            best = (min(best.wall, t.wall), min(best.cpu, t.cpu))
        }
        var countBest = (wall: Double.infinity, cpu: Double.infinity)
        var count = 0
        for _ in 0..<repeats {
            enc.clearCaches()
            let t = measure { count = enc.count(text) }
            countBest = (min(countBest.wall, t.wall), min(countBest.cpu, t.cpu))
        }
        precondition(count == ids.count)
        print(#"{"kind":"ours","encoding":"\#(name.rawValue)","file":"\#(file)","bytes":\#(Int(bytes)),"tokens":\#(ids.count),"hash":"\#(fnv(ids))","encode_mbps":\#(bytes / best.wall / 1e6),"count_mbps":\#(bytes / countBest.wall / 1e6),"encode_cpu_mbps":\#(bytes / best.cpu / 1e6),"count_cpu_mbps":\#(bytes / countBest.cpu / 1e6)}"#)
        requestSized(enc, name: name.rawValue, file: file, text: text)
    }
}
