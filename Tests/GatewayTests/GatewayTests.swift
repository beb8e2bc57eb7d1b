// Tests for Gateway.
