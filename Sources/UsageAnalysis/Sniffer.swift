import Pricing

/// Tells a usage log's format from its first bytes.
enum Sniffer {
    static func sniff(_ head: [UInt8], file: String) throws(AnalysisError) -> InputFormat {
        // First non-empty line.
        var start = 0
        while start < head.count, head[start] == 0x20 || head[start] == 0x0A || head[start] == 0x0D || head[start] == 0x09 { start += 1 }
        if start == head.count { return .jsonl }  // empty input: nothing to read either way
        var end = start
        while end < head.count, head[end] != 0x0A { end += 1 }
        let line = String(decoding: head[start..<end], as: UTF8.self)
        let text = String(decoding: head, as: UTF8.self)
        if line.hasPrefix("{") || line.hasPrefix("[") {
            if text.contains("\"resourceSpans\"") { return .otel }
            let keys = ["\"spend\"", "\"startTime\"", "\"completion_tokens\"", "\"call_type\""]
            if keys.filter({ line.contains($0) }).count >= 2 { return .litellm }
            if line.contains("\"model\"") { return .jsonl }
            throw .unknownFormat(file: file)
        }
        let header = Set(CSV.split(line).map { $0.lowercased() })
        if header.contains("spend") && (header.contains("request_id") || header.contains("starttime")) { return .litellm }
        if header.contains("n_context_tokens_total") || header.contains("num_model_requests")
            || (header.contains("input_tokens") && header.contains("model") && (header.contains("start_time") || header.contains("start_time_iso")))
        {
            return .openaiCSV
        }
        throw .unknownFormat(file: file)
    }
}

/// A minimal RFC 4180 CSV splitter.
enum CSV {
    /// Splits one complete record into fields.
    static func split(_ record: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = record.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        fields.append(field)
        return fields
    }

    /// True when a record's quotes are balanced (so a newline inside quotes needs more lines).
    static func isComplete(_ record: String) -> Bool {
        record.utf8.reduce(0) { $1 == UInt8(ascii: "\"") ? $0 + 1 : $0 } % 2 == 0
    }
}

extension String {
    func trimmedText() -> String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
