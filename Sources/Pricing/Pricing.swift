// The Pricing module. See ../../docs/architecture.md.
