"""Compare two map documents (live maps or snapshots): what was added, removed, changed.

Records are matched by id when the two come from the same map (a snapshot and the map
later, two snapshots); maps made independently (two sites) share no ids, so their factors
are matched by normalised label, and links by the labels at their ends.
"""

from __future__ import annotations

import unicodedata
from typing import Any

FACTOR_FIELDS = ("label", "type", "x", "y", "notes", "attributes")
LINK_FIELDS = ("polarity", "strength", "confidence", "type", "rationale", "evidence", "notes")


def normalise_label(label: str) -> str:
    """A label with case, accents, punctuation and spacing ironed out, for matching."""
    text = unicodedata.normalize("NFKD", label).casefold()
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def compare_documents(a: dict[str, Any], b: dict[str, Any], match: str = "auto") -> dict[str, Any]:
    """Differences from ``a`` to ``b``; ``match`` is 'id', 'label' or 'auto'."""
    if match == "auto":
        shared = {f["id"] for f in a["factors"]} & {f["id"] for f in b["factors"]}
        match = "id" if shared or not (a["factors"] and b["factors"]) else "label"
    style_a = {s["id"]: s["name"] for s in a["styles"]}
    style_b = {s["id"]: s["name"] for s in b["styles"]}

    def factor_key(f: dict[str, Any]) -> str:
        return f["id"] if match == "id" else normalise_label(f["label"])

    factors_a = {factor_key(f): f for f in a["factors"]}
    factors_b = {factor_key(f): f for f in b["factors"]}
    label_a = {f["id"]: f["label"] for f in a["factors"]}
    label_b = {f["id"]: f["label"] for f in b["factors"]}

    def link_key(link: dict[str, Any], labels: dict[str, str]) -> str:
        if match == "id":
            return str(link["id"])
        ends = (normalise_label(labels[link["source"]]), normalise_label(labels[link["target"]]))
        return " → ".join(ends)

    links_a = {link_key(x, label_a): x for x in a["links"]}
    links_b = {link_key(x, label_b): x for x in b["links"]}
    result: dict[str, Any] = {"matched_by": match, "factors": {}, "links": {}}
    result["factors"] = _diff(
        factors_a,
        factors_b,
        # Across independently made maps, where a factor sits on the page means nothing.
        FACTOR_FIELDS if match == "id" else ("type", "notes", "attributes"),
        lambda f, styles: {**f, "type": styles.get(f.get("type"), f.get("type"))},
        style_a,
        style_b,
        lambda f: f["label"],
    )
    result["links"] = _diff(
        links_a,
        links_b,
        LINK_FIELDS,
        lambda x, styles: {**x, "type": styles.get(x.get("type"), x.get("type"))},
        style_a,
        style_b,
        lambda x: (
            f"{label_a.get(x['source'], label_b.get(x['source'], '?'))} → "
            f"{label_a.get(x['target'], label_b.get(x['target'], '?'))}"
        ),
    )
    if match == "label":
        result["proposed_matches"] = [
            {"a": factors_a[k]["label"], "b": factors_b[k]["label"]}
            for k in factors_a.keys() & factors_b.keys()
            if factors_a[k]["label"] != factors_b[k]["label"]
        ]
    return result


def _diff(old, new, fields, resolve, styles_old, styles_new, name) -> dict[str, Any]:
    added = [{"key": k, "name": name(new[k])} for k in new if k not in old]
    removed = [{"key": k, "name": name(old[k])} for k in old if k not in new]
    changed = []
    for key in old.keys() & new.keys():
        before, after = resolve(old[key], styles_old), resolve(new[key], styles_new)
        fields_changed = {
            f: [before.get(f), after.get(f)] for f in fields if before.get(f) != after.get(f)
        }
        if fields_changed:
            changed.append({"key": key, "name": name(old[key]), "fields": fields_changed})
    changed.sort(key=lambda c: c["name"])
    return {"added": added, "removed": removed, "changed": changed}
