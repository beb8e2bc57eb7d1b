// Tests for the tokenomics command line.
