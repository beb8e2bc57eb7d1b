// Tests for Modeling.
