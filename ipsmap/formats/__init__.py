"""Interchange formats: one module per format, each with read and/or write. No Qt."""
