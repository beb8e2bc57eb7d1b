// The Gateway module. See ../../docs/architecture.md.
