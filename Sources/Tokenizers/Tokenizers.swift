// The Tokenizers module. See ../../docs/architecture.md.
