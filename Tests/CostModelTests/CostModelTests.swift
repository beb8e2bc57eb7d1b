// Tests for CostModel.
