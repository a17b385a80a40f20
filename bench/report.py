"""Shared by the benchmark scripts' printed tables."""

from __future__ import annotations


def fmt_s(seconds: float) -> str:
    """A duration in the unit that reads best (s, ms or us)."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1e6:.0f} us"
