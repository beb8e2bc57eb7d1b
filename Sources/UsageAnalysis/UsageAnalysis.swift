// The UsageAnalysis module. See ../../docs/architecture.md.
