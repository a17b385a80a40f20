"""Positions for align and distribute (pure geometry on factor centres)."""

from __future__ import annotations

from collections.abc import Mapping

Positions = dict[str, tuple[float, float]]


def align(positions: Mapping[str, tuple[float, float]], edge: str) -> Positions:
    """Line factors up: ``edge`` is 'left', 'right', 'top', 'bottom', 'hcenter' or 'vcenter'.

    Factors are aligned on their centres (labels vary in size; centres read as aligned).
    """
    if not positions:
        return {}
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    target = {
        "left": min(xs),
        "right": max(xs),
        "hcenter": sum(xs) / len(xs),
        "top": min(ys),
        "bottom": max(ys),
        "vcenter": sum(ys) / len(ys),
    }[edge]
    if edge in ("left", "right", "hcenter"):
        return {fid: (target, y) for fid, (x, y) in positions.items()}
    return {fid: (x, target) for fid, (x, y) in positions.items()}


def distribute(positions: Mapping[str, tuple[float, float]], axis: str) -> Positions:
    """Space factors evenly between the outermost two along ``axis`` ('x' or 'y')."""
    if len(positions) < 3:
        return dict(positions)
    index = 0 if axis == "x" else 1
    ordered = sorted(positions.items(), key=lambda item: item[1][index])
    first, last = ordered[0][1][index], ordered[-1][1][index]
    step = (last - first) / (len(ordered) - 1)
    result: Positions = {}
    for i, (fid, (x, y)) in enumerate(ordered):
        value = first + i * step
        result[fid] = (value, y) if axis == "x" else (x, value)
    return result
