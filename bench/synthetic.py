"""Synthetic maps for benchmarks: N factors, ``links_per_factor`` * N links.

Deterministic for a seed (ids come from the seeded generator too, so two calls with the
same arguments give identical maps). Uses only the model's own records.
"""

from __future__ import annotations

import dataclasses
import math
import random
import uuid

from ipsmap.model.defaults import default_styles
from ipsmap.model.entities import POLARITIES, STRENGTH_LEVELS, Factor, Link, MapInfo
from ipsmap.model.mapdata import MapData

STRENGTHS = tuple(sorted(STRENGTH_LEVELS.values()))  # 0.25, 0.5, 1.0
GRID_STEP = 180.0
NOTES = (
    "",
    "",
    "",
    "Raised by parents in the first workshop.",
    "Practitioners disagree about how strong this is.",
    "See the service review, section 4.",
)


def _seeded_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def synthetic_map(n_factors: int, links_per_factor: int = 3, seed: int = 0) -> MapData:
    """A system map with ``n_factors`` factors and ``links_per_factor * n_factors`` links.

    No self links and no duplicate (source, target) pairs; polarity random among + - ?,
    strength in {0.25, 0.5, 1.0}; factors on a square grid, labelled "Factor 1"...; about
    half the factors and some links carry notes; factor types cycle through the default
    factor styles.
    """
    if n_factors < 2 and links_per_factor > 0:
        raise ValueError("links need at least two factors")
    n_links = links_per_factor * n_factors
    if n_links > n_factors * (n_factors - 1):
        raise ValueError(f"{n_links} distinct links do not fit between {n_factors} factors")
    rng = random.Random(seed)
    map_id = _seeded_id(rng)
    info = MapInfo(id=map_id, name=f"Synthetic {n_factors}", kind="system")
    styles = default_styles(map_id, "system")
    # default_styles draws ids from uuid4; replace them so the map is fully deterministic.
    styles = [dataclasses.replace(s, id=_seeded_id(rng)) for s in styles]
    factor_types = [s.id for s in styles if s.kind == "factor"]
    link_types = [s.id for s in styles if s.kind == "link"]

    columns = max(1, math.ceil(math.sqrt(n_factors)))
    factors = [
        Factor(
            id=_seeded_id(rng),
            map_id=map_id,
            label=f"Factor {i + 1}",
            type=factor_types[i % len(factor_types)],
            x=(i % columns) * GRID_STEP,
            y=(i // columns) * GRID_STEP,
            notes=rng.choice(NOTES),
        )
        for i in range(n_factors)
    ]

    links: list[Link] = []
    seen: set[tuple[int, int]] = set()
    # Each factor is the source of links_per_factor links (mostly to near neighbours in
    # creation order, sometimes anywhere), so the graph is connected and has loops.
    for s in range(n_factors):
        made = 0
        while made < links_per_factor:
            if rng.random() < 0.7:
                t = (s + rng.randint(1, 12)) % n_factors
            else:
                t = rng.randrange(n_factors)
            if t == s or (s, t) in seen:
                continue
            seen.add((s, t))
            made += 1
            links.append(
                Link(
                    id=_seeded_id(rng),
                    map_id=map_id,
                    source=factors[s].id,
                    target=factors[t].id,
                    polarity=rng.choice(POLARITIES),
                    strength=rng.choice(STRENGTHS),
                    confidence=None,
                    type=link_types[0] if rng.random() < 0.8 else link_types[-1],
                    notes=rng.choice(NOTES),
                )
            )
    return MapData(info=info, styles=styles, factors=factors, links=links)


if __name__ == "__main__":  # a quick look: python bench/synthetic.py 10
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    data = synthetic_map(n)
    print(f"{len(data.factors)} factors, {len(data.links)} links, {len(data.styles)} styles")
    for link in data.links[:5]:
        print(link.source[:8], "->", link.target[:8], link.polarity, link.strength)
