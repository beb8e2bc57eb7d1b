// Tests for UsageAnalysis.
