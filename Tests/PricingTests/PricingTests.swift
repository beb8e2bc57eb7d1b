// Tests for Pricing.
