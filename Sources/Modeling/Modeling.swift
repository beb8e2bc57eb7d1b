// The Modeling module. See ../../docs/architecture.md.
