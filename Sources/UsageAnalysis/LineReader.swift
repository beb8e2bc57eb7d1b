#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads newline-separated records from a file descriptor in large blocks, without copying lines.
///
/// With a byte range, it yields the lines that *start* inside the range (the last may run past
/// its end), so ranges split at any byte cover every line exactly once.
struct LineReader {
    let fd: Int32
    /// First byte offset (for positional reads), or nil for a stream (read sequentially).
    let start: Int64?
    let end: Int64?
    var blockSize = 8 << 20
    /// Bytes already read from a stream (after sniffing), processed before the rest.
    var prefix: [UInt8] = []

    init(fd: Int32, start: Int64?, end: Int64?) {
        self.fd = fd
        self.start = start
        self.end = end
    }

    /// Calls `body` with each line (without its `\n` or a trailing `\r`) and its 1-based number
    /// within this reader, and `progress` with the bytes consumed after each block.
    /// Returns the number of lines. Stops early when `body` returns false.
    func forEachLine(
        progress: (Int) -> Void = { _ in },
        _ body: (UnsafeRawBufferPointer, Int) throws -> Bool
    ) throws(AnalysisError) -> Int {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var filled = prefix.count
        if !prefix.isEmpty { prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        var position = start ?? 0
        var lineNumber = 0
        var atEOF = false
        var skipFirst = false
        if let start, start > 0 {
            // Does a line start exactly at `start`? Only when the byte before is a newline.
            var byte: UInt8 = 0
            let got = pread(fd, &byte, 1, off_t(start - 1))
            if got != 1 { throw .io("cannot read: \(String(cString: strerror(errno)))") }
            skipFirst = byte != UInt8(ascii: "\n")
        }
        // Bytes consumed beyond `end` stop the loop: a line starting at or after `end` is not ours.
        var consumed = start ?? 0  // offset of the first unconsumed byte in the file
        while true {
            if !atEOF && filled < buffer.count {
                let got: Int
                if start != nil {
                    got = pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(position))
                } else {
                    got = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw .io("cannot read: \(String(cString: strerror(errno)))")
                }
                if got == 0 { atEOF = true }
                filled += got
                position += Int64(got)
            }
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var offset = 0
            var stop = false
            while offset < filled {
                if let end, consumed >= end { stop = true; break }
                let remaining = filled - offset
                let found = memchr(base + offset, 0x0A, remaining)
                let lineEnd: Int
                if let found {
                    lineEnd = base.distance(to: UnsafeRawPointer(found))
                } else if atEOF {
                    lineEnd = filled
                } else {
                    break  // incomplete line: read more
                }
                let next = min(lineEnd + 1, filled)
                if skipFirst {
                    skipFirst = false
                } else {
                    lineNumber += 1
                    var stopAt = lineEnd
                    if stopAt > offset, base.load(fromByteOffset: stopAt - 1, as: UInt8.self) == 0x0D { stopAt -= 1 }
                    let line = UnsafeRawBufferPointer(start: base + offset, count: stopAt - offset)
                    let keepGoing: Bool
                    do { keepGoing = try body(line, lineNumber) } catch let error as AnalysisError { throw error } catch { throw .io("\(error)") }
                    if !keepGoing { return lineNumber }
                }
                consumed += Int64(next - offset)
                offset = next
            }
            progress(offset)
            if stop || (atEOF && offset >= filled) { break }
            // Move the incomplete tail to the front.
            if offset > 0 {
                (buffer.baseAddress! + 0).copyMemory(from: base + offset, byteCount: filled - offset)
                filled -= offset
            } else if filled == buffer.count {
                // A line longer than the buffer: grow.
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 64)
                bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled)
                buffer.deallocate()
                buffer = bigger
            }
        }
        return lineNumber
    }
}
