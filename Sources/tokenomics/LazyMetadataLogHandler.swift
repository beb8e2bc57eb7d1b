import Logging

/// swift-log's `StreamLogHandler`, except that metadata set on a logger is rendered only when a
/// message is written.
///
/// `StreamLogHandler` renders its metadata to text every time a key is set, and Hummingbird sets a
/// request id on a copy of the logger for every request, so the gateway paid for formatting a line
/// on every call even at `warning`, where nothing is written. This handler keeps the metadata as
/// values and hands it to a `StreamLogHandler` with each message.
struct LazyMetadataLogHandler: LogHandler {
    private var inner: StreamLogHandler
    var metadata = Logger.Metadata()

    init(label: String) {
        inner = StreamLogHandler.standardError(label: label)
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        inner.log(event: event)
    }
}
