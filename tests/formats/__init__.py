"""Tests of the interchange formats (one module per format)."""
