"""Compare two map documents (live maps or snapshots): what was added, removed, changed.

Records are matched by id when the two come from the same map (a snapshot and the map
later, two snapshots); maps made independently (two sites) share no ids, so their factors
are matched by normalised label, and links through the factors at their ends. Matching by
label also *proposes* near matches ("Parental stress" / "Parents' stress levels") that the
user accepts or rejects; accepted and rejected pairs are passed back in and override the
automatic matching.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

FACTOR_FIELDS = ("label", "type", "x", "y", "notes", "attributes")
LINK_FIELDS = ("polarity", "strength", "confidence", "type", "rationale", "evidence", "notes")
# Across independently made maps, where a factor sits on the page means nothing.
LABEL_MATCH_FACTOR_FIELDS = ("type", "notes", "attributes")

NEAR_MATCH_RATIO = 0.85
# Words that make two labels look alike without saying anything about what they name.
_FILLER_WORDS = frozenset({"a", "an", "the", "of", "and", "or", "in", "on", "to", "for", "s"})
# Above this many candidate pairs, only the cheap word-subset test runs (big merged maps).
_RATIO_PAIR_LIMIT = 250_000

Pair = tuple[str, str]


def normalise_label(label: str) -> str:
    """A label with case, accents, punctuation and spacing ironed out, for matching."""
    text = unicodedata.normalize("NFKD", label).casefold()
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def compare_documents(
    a: dict[str, Any],
    b: dict[str, Any],
    match: str = "auto",
    pairs: Iterable[Pair] = (),
    rejected: Iterable[Pair] = (),
) -> dict[str, Any]:
    """Differences from ``a`` to ``b``; ``match`` is 'id', 'label' or 'auto'.

    ``pairs`` are accepted (a factor id, b factor id) matches and ``rejected`` refused ones;
    both apply when matching by label. Entries of added/removed/changed carry ``a_id`` and
    ``b_id`` (None on the side a record is missing from); ``factor_pairs`` maps each
    matched factor of ``a`` to its counterpart in ``b``.
    """
    if match not in ("auto", "id", "label"):
        raise ValueError(f"match is 'auto', 'id' or 'label', not {match!r}")
    if match == "auto":
        shared = {f["id"] for f in a["factors"]} & {f["id"] for f in b["factors"]}
        match = "id" if shared or not (a["factors"] and b["factors"]) else "label"
    style_a = {s["id"]: s["name"] for s in a["styles"]}
    style_b = {s["id"]: s["name"] for s in b["styles"]}
    label_a = {f["id"]: f["label"] for f in a["factors"]}
    label_b = {f["id"]: f["label"] for f in b["factors"]}
    result: dict[str, Any] = {"matched_by": match}

    if match == "id":
        key_a = {f["id"]: f["id"] for f in a["factors"]}
        key_b = {f["id"]: f["id"] for f in b["factors"]}
        factor_fields: tuple[str, ...] = FACTOR_FIELDS
        proposals: list[dict[str, Any]] = []
        result["factor_pairs"] = {f: f for f in key_a if f in key_b}
    else:
        matching = match_factors(a["factors"], b["factors"], pairs, rejected)
        key_a, key_b, proposals = matching["key_a"], matching["key_b"], matching["proposals"]
        result["factor_pairs"] = matching["matched"]
        factor_fields = LABEL_MATCH_FACTOR_FIELDS

    factors_a = {key_a[f["id"]]: f for f in a["factors"]}
    factors_b = {key_b[f["id"]]: f for f in b["factors"]}

    def restyle(record: dict[str, Any], styles: dict[str, str]) -> dict[str, Any]:
        kind = record.get("type")
        return {**record, "type": styles.get(kind, kind) if kind is not None else None}

    result["factors"] = _diff(
        factors_a, factors_b, factor_fields, restyle, style_a, style_b, lambda f: f["label"]
    )
    if match == "label":
        # A label only counts as changed when the two say different things (an accepted
        # near match), not when they differ in case or punctuation.
        changed = {c["key"]: c for c in result["factors"]["changed"]}
        for key in factors_a.keys() & factors_b.keys():
            before, after = factors_a[key]["label"], factors_b[key]["label"]
            if normalise_label(before) == normalise_label(after):
                continue
            entry = changed.setdefault(
                key,
                {
                    "key": key,
                    "name": before,
                    "a_id": factors_a[key]["id"],
                    "b_id": factors_b[key]["id"],
                    "fields": {},
                },
            )
            entry["fields"] = {"label": [before, after], **entry["fields"]}
        result["factors"]["changed"] = list(changed.values())
        result["factors"]["changed"].sort(key=lambda c: c["name"])

    links_a = _keyed_links(a["links"], key_a, match)
    links_b = _keyed_links(b["links"], key_b, match)
    result["links"] = _diff(
        links_a,
        links_b,
        LINK_FIELDS,
        restyle,
        style_a,
        style_b,
        lambda x: (
            f"{label_a.get(x['source'], label_b.get(x['source'], '?'))} → "
            f"{label_a.get(x['target'], label_b.get(x['target'], '?'))}"
        ),
    )
    if match == "label":
        result["proposed_matches"] = proposals
    return result


def match_factors(
    factors_a: list[dict[str, Any]],
    factors_b: list[dict[str, Any]],
    pairs: Iterable[Pair] = (),
    rejected: Iterable[Pair] = (),
) -> dict[str, Any]:
    """Pair the factors of two independently made maps.

    Returns ``key_a``/``key_b`` (factor id → a key; matched factors share theirs) and
    ``proposals``: every pair worth a person's look, each with ``a_id``, ``b_id``, ``a``
    and ``b`` (the labels), ``score``, ``reason``, ``decision`` ('auto', 'proposed',
    'accepted' or 'rejected') and ``matched``.
    """
    by_id_a = {f["id"]: f for f in factors_a}
    by_id_b = {f["id"]: f for f in factors_b}
    norm_a = {f["id"]: normalise_label(f["label"]) for f in factors_a}
    norm_b = {f["id"]: normalise_label(f["label"]) for f in factors_b}
    refused = {(x, y) for x, y in rejected if x in by_id_a and y in by_id_b}
    matched: dict[str, str] = {}  # a id → b id
    proposals: list[dict[str, Any]] = []

    def propose(a_id: str, b_id: str, score: float, reason: str, decision: str) -> None:
        proposals.append(
            {
                "a_id": a_id,
                "b_id": b_id,
                "a": by_id_a[a_id]["label"],
                "b": by_id_b[b_id]["label"],
                "score": round(score, 3),
                "reason": reason,
                "decision": decision,
                "matched": decision in ("auto", "accepted"),
            }
        )

    # 1. What the user accepted wins over everything.
    for a_id, b_id in pairs:
        known = a_id in by_id_a and b_id in by_id_b and (a_id, b_id) not in refused
        if known and a_id not in matched and b_id not in matched.values():
            matched[a_id] = b_id
            score = _ratio(norm_a[a_id], norm_b[b_id])
            propose(a_id, b_id, score, "accepted by you", "accepted")
    # 2. The same label after normalising, first come first served.
    free_b: dict[str, list[str]] = {}
    for b_id, norm in norm_b.items():
        if b_id not in matched.values():
            free_b.setdefault(norm, []).append(b_id)
    for a_id, norm in norm_a.items():
        if a_id in matched:
            continue
        candidates = [b for b in free_b.get(norm, []) if (a_id, b) not in refused]
        if candidates:
            b_id = candidates[0]
            free_b[norm].remove(b_id)
            matched[a_id] = b_id
            if by_id_a[a_id]["label"] != by_id_b[b_id]["label"]:
                propose(a_id, b_id, 1.0, "same label after normalising", "auto")
    # 3. Near matches among the rest: proposed, never applied until accepted.
    taken_b = set(matched.values())
    rest_a = [x for x in norm_a if x not in matched]
    rest_b = [x for x in norm_b if x not in taken_b]
    candidates_near = near_matches(rest_a, rest_b, norm_a, norm_b)
    proposed_a: set[str] = set()
    proposed_b: set[str] = set()
    for score, a_id, b_id, reason in candidates_near:
        if a_id in proposed_a or b_id in proposed_b or (a_id, b_id) in refused:
            continue
        proposed_a.add(a_id)
        proposed_b.add(b_id)
        propose(a_id, b_id, score, reason, "proposed")
    # 4. Refused pairs stay listed, so a person can change their mind.
    for a_id, b_id in sorted(refused):
        score = _ratio(norm_a[a_id], norm_b[b_id])
        propose(a_id, b_id, score, "rejected by you", "rejected")

    key_a: dict[str, str] = {}
    key_b: dict[str, str] = {}
    used: set[str] = set()

    def unique(key: str) -> str:
        candidate, n = key, 2
        while candidate in used:
            candidate, n = f"{key} #{n}", n + 1
        used.add(candidate)
        return candidate

    for a_id in norm_a:
        key_a[a_id] = unique(norm_a[a_id])
        if a_id in matched:
            key_b[matched[a_id]] = key_a[a_id]
    for b_id in norm_b:
        if b_id not in key_b:
            key_b[b_id] = unique(norm_b[b_id])
    proposals.sort(key=lambda p: (p["decision"] == "auto", -p["score"], p["a"]))
    return {"key_a": key_a, "key_b": key_b, "proposals": proposals, "matched": matched}


def _ratio(x: str, y: str) -> float:
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split()) - _FILLER_WORDS


def near_matches(
    rest_a: list[str], rest_b: list[str], norm_a: dict[str, str], norm_b: dict[str, str]
) -> list[tuple[float, str, str, str]]:
    """(score, a id, b id, reason) of similar labels, best first."""
    found: dict[Pair, tuple[float, str]] = {}
    words_a = {x: _words(norm_a[x]) for x in rest_a}
    words_b = {y: _words(norm_b[y]) for y in rest_b}
    # Word subsets through an index, so big maps don't compare every pair.
    index: dict[str, set[str]] = {}
    for y, words in words_b.items():
        for word in words:
            index.setdefault(word, set()).add(y)
    for x, words in words_a.items():
        if not words:
            continue
        sharing = set.union(*(index.get(w, set()) for w in words))
        for y in sharing:
            small, large = sorted((words, words_b[y]), key=len)
            if small and small <= large:
                score = _ratio(norm_a[x], norm_b[y])
                shorter, longer = (
                    (norm_a[x], norm_b[y]) if small is words else (norm_b[y], norm_a[x])
                )
                found[(x, y)] = (score, f"the words of “{shorter}” are all in “{longer}”")
    if len(rest_a) * len(rest_b) <= _RATIO_PAIR_LIMIT:
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        for y in rest_b:
            matcher.set_seq2(norm_b[y])
            for x in rest_a:
                if (x, y) in found:
                    continue
                matcher.set_seq1(norm_a[x])
                if (
                    matcher.real_quick_ratio() >= NEAR_MATCH_RATIO
                    and matcher.quick_ratio() >= NEAR_MATCH_RATIO
                ):
                    score = matcher.ratio()
                    if score >= NEAR_MATCH_RATIO:
                        found[(x, y)] = (score, f"similar labels ({score:.0%} alike)")
    ranked = [(score, x, y, reason) for (x, y), (score, reason) in found.items()]
    ranked.sort(key=lambda r: (-r[0], norm_a[r[1]], norm_b[r[2]]))
    return ranked


def _keyed_links(
    links: list[dict[str, Any]], factor_key: dict[str, str], match: str
) -> dict[str, dict[str, Any]]:
    """Links by key: their id, or (matching by label) the keys of the factors at their ends."""
    keyed: dict[str, dict[str, Any]] = {}
    for link in links:
        if match == "id":
            keyed[str(link["id"])] = link
            continue
        key = f"{factor_key[link['source']]} → {factor_key[link['target']]}"
        candidate, n = key, 2
        while candidate in keyed:  # parallel links between the same two factors
            candidate, n = f"{key} #{n}", n + 1
        keyed[candidate] = link
    return keyed


def _diff(
    old: dict[str, dict[str, Any]],
    new: dict[str, dict[str, Any]],
    fields: tuple[str, ...],
    resolve: Callable[[dict[str, Any], dict[str, str]], dict[str, Any]],
    styles_old: dict[str, str],
    styles_new: dict[str, str],
    name: Callable[[dict[str, Any]], str],
) -> dict[str, Any]:
    added = [
        {"key": k, "name": name(new[k]), "a_id": None, "b_id": new[k]["id"]}
        for k in new
        if k not in old
    ]
    removed = [
        {"key": k, "name": name(old[k]), "a_id": old[k]["id"], "b_id": None}
        for k in old
        if k not in new
    ]
    changed = []
    for key in old.keys() & new.keys():
        before, after = resolve(old[key], styles_old), resolve(new[key], styles_new)
        fields_changed = {
            f: [before.get(f), after.get(f)] for f in fields if before.get(f) != after.get(f)
        }
        if fields_changed:
            changed.append(
                {
                    "key": key,
                    "name": name(old[key]),
                    "a_id": old[key]["id"],
                    "b_id": new[key]["id"],
                    "fields": fields_changed,
                }
            )
    changed.sort(key=lambda c: c["name"])
    return {"added": added, "removed": removed, "changed": changed}
