"""Models the test suite uses (plugins' tests add theirs here)."""
