// The CostModel module. See ../../docs/architecture.md.
