// The Reports module. See ../../docs/architecture.md.
