// The Ledger module. See ../../docs/architecture.md.
