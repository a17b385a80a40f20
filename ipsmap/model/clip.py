"""Copy and paste of factors and the links among them (as ipsmap-map data)."""

from __future__ import annotations

from collections.abc import Iterable

from ipsmap.model.command import Command, Macro
from ipsmap.model.commands import AddFactor, AddGroup, AddLink, AddStyle
from ipsmap.model.mapdata import MapData
from ipsmap.model.state import MapState


def extract(state: MapState, factor_ids: Iterable[str]) -> MapData:
    """The chosen factors, the links among them, and the styles they use."""
    chosen = set(factor_ids)
    factors = [f for f in state.factors.values() if f.id in chosen]
    links = [ln for ln in state.links.values() if ln.source in chosen and ln.target in chosen]
    used = {f.type for f in factors} | {ln.type for ln in links}
    styles = [s for s in state.styles.values() if s.id in used]
    return MapData(info=state.info, styles=styles, factors=factors, links=links)


def paste_command(state: MapState, data: MapData, offset: tuple[float, float]) -> Macro:
    """A command adding a copy of ``data``'s factors and links to the map (new ids).

    Types are matched by name; a type the map lacks is added with the copied look.
    """
    commands: list[Command] = []
    style_for: dict[str, str] = {}
    new_styles: dict[tuple[str, str], str] = {}
    for style in data.styles:
        own = state.style_named(style.kind, style.name)
        if own is not None:
            style_for[style.id] = own.id
            continue
        key = (style.kind, style.name.casefold())
        if key not in new_styles:
            add = AddStyle(
                style.kind,
                style.name,
                color=style.color,
                border_color=style.border_color,
                shape=style.shape,
                dashes=style.dashes,
                level=style.level,
                font_color=style.font_color,
            )
            commands.append(add)
            new_styles[key] = add.id
        style_for[style.id] = new_styles[key]
    dx, dy = offset
    new_ids: dict[str, str] = {}
    for factor in data.factors:
        add_factor = AddFactor(
            factor.label,
            factor.x + dx,
            factor.y + dy,
            type=style_for.get(factor.type or ""),
            notes=factor.notes,
            attributes=dict(factor.attributes),
        )
        new_ids[factor.id] = add_factor.id
        commands.append(add_factor)
    for link in data.links:
        if link.source in new_ids and link.target in new_ids:
            commands.append(
                AddLink(
                    new_ids[link.source],
                    new_ids[link.target],
                    link.polarity,
                    strength=link.strength,
                    confidence=link.confidence,
                    type=style_for.get(link.type or ""),
                    rationale=link.rationale,
                    evidence=link.evidence,
                    notes=link.notes,
                    provenance=link.provenance,
                    attributes=dict(link.attributes),
                )
            )
    members: dict[str, list[str]] = {}
    for group_id, factor_id in data.members:
        if factor_id in new_ids:
            members.setdefault(group_id, []).append(new_ids[factor_id])
    for group in data.groups:
        if members.get(group.id):
            commands.append(AddGroup(group.name, members[group.id], group.color, group.notes))
    count = len(data.factors)
    macro = Macro(f"Paste {count} factor{'s' if count != 1 else ''}", commands)
    macro.new_factor_ids = list(new_ids.values())  # type: ignore[attr-defined]
    return macro
