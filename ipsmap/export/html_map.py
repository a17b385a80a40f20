"""An interactive web page of one map that works offline (no network access at all).

The network is built with pyvis (imported lazily); the page itself is written here rather
than from pyvis's template, because that template links remote CSS/JS (CDN, bootstrap)
even in its "in_line" mode. The vis-network script and stylesheet that ship inside the
pyvis package are inlined instead, so an evaluator can open the file with no connection.

People appear only as pseudonyms, or as their stakeholder group when they did not consent.
"""

from __future__ import annotations

import html
import json
import os
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ipsmap.export.context import ExportContext, with_public_names
from ipsmap.export.files import write_atomically
from ipsmap.export.html_scripts import CUSTOM_SHAPES_JS, MARKS_JS
from ipsmap.export.map_key import (
    MARK_SHAPES,
    POLARITY_COLORS,
    POLARITY_SYMBOLS,
    POLARITY_WORDS,
    is_dashed,
    map_key,
    polarity_of,
)
from ipsmap.export.progress import report
from ipsmap.formats.base import MapFormat
from ipsmap.model.colors import as_hex
from ipsmap.model.entities import (
    CONFIDENCE_LEVELS,
    DEFAULT_STRENGTH,
    STRENGTH_LEVELS,
    Style,
    level_name,
)
from ipsmap.model.mapdata import MapData
from ipsmap.model.privacy import public_names

# Our factor shapes → vis-network shapes ("note" has no vis equivalent: a box). vis draws
# the label of its own hexagon and star *below* a small symbol, where neighbouring labels
# collide; the window puts labels inside, so those two are drawn by our own renderer
# (``html_scripts.CUSTOM_SHAPES_JS``): a hexagon, and the focal factor's double-bordered box.
VIS_SHAPES = {
    "box": "box",
    "ellipse": "ellipse",
    "hexagon": "hexagon",
    "star": "star",
    "note": "box",
}
CUSTOM_DRAWN = ("hexagon", "star")
# Every link bows a little clockwise; the two links of a two-way pair bow more, so they
# and their marks stand clearly apart.
ROUNDNESS = 0.12
RECIPROCAL_ROUNDNESS = 0.35
DEFAULT_FACTOR_COLOR = "#ffffff"
DEFAULT_BORDER_COLOR = "#333333"
DEFAULT_LINK_COLOR = "#555555"
DEFAULT_TEXT_COLOR = "#222222"
VIS_VERSION_DIR = "vis-9.1.2"
# The page may run and style only what it carries, and show only data: images: whatever
# text a map holds, the browser fetches nothing (no image, font, stylesheet, frame or
# connection), on top of every value being escaped or checked.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
_END_TAG = re.compile(r"</(script|style)", re.IGNORECASE)


def _pyvis_lib_file(name: str) -> str:
    """The text of a file shipped in pyvis's ``lib/`` folder (vis-network JS or CSS)."""
    return (resources.files("pyvis") / "lib" / VIS_VERSION_DIR / name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Shipped JS/CSS made safe to sit inside a ``<script>`` or ``<style>`` element.

    Only ``</script``/``</style`` (which would end the element) are touched: a blanket
    ``</`` replacement would break regex literals such as ``/</`` in vis-network. In JS
    strings and regexes ``<\\/`` still means ``</``. (The map's own data goes through
    ``_json_for_script``, which escapes every ``<``.)
    """
    return _END_TAG.sub(lambda m: "<\\/" + m.group(1), text)


def _json_for_script(value: Any) -> str:
    """``value`` as JSON that cannot break out of a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _colour(value: str | None, default: str) -> str:
    """A map's colour as #rrggbb for the page; ``default`` when it is not a colour (a
    stored value is never pasted into the page's CSS, SVG or scripts as it stands)."""
    return as_hex(value) or default


def _tooltip(lines: list[tuple[str, str]]) -> str:
    """Plain-text tooltip (vis-network shows string titles as text, not HTML)."""
    return "\n".join(f"{key}: {value}" if key else value for key, value in lines if value)


def _build_network(data: MapData) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """Nodes, edges and options JSON of the map, via pyvis."""
    from pyvis.network import Network

    styles: dict[str, Style] = {s.id: s for s in data.styles}
    people = public_names(data.participants)
    group_names = {g.id: g.name for g in data.groups}
    groups_of: dict[str, list[str]] = {}
    for group_id, factor_id in data.members:
        if group_id in group_names:
            groups_of.setdefault(factor_id, []).append(group_names[group_id])
    labels = {f.id: f.label for f in data.factors}

    net = Network(directed=True, cdn_resources="in_line")
    for factor in sorted(data.factors, key=lambda f: f.seq):
        style = styles.get(factor.type or "")
        shape = VIS_SHAPES.get(style.shape if style else "box", "box")
        node: dict[str, Any] = {
            "x": factor.x,
            "y": factor.y,
            "physics": False,
            "title": _tooltip(
                [
                    ("", factor.label),
                    ("Type", style.name if style else ""),
                    ("Groups", ", ".join(groups_of.get(factor.id, []))),
                    ("Notes", factor.notes),
                    ("Added by", people.get(factor.created_by or "", "")),
                ]
            ),
            "borderWidth": 1.5,
        }
        label = factor.label or " "
        fill = _colour(style.color if style else "", DEFAULT_FACTOR_COLOR)
        if shape in ("box", "ellipse"):
            node["widthConstraint"] = {"maximum": 180}
        elif shape in CUSTOM_DRAWN:
            # Drawn by CUSTOM_SHAPES_JS with the label inside; vis draws no label of its own.
            node["ipsShape"], node["ipsLabel"], label, shape = shape, label, " ", "custom"
        else:
            node["size"] = 18
        fill = _colour(style.color if style else None, DEFAULT_FACTOR_COLOR)
        net.add_node(
            factor.id,
            label=label,
            shape=shape,
            color={
                "background": fill,
                "border": _colour(style.border_color if style else None, DEFAULT_BORDER_COLOR),
                "highlight": {"background": fill, "border": "#000000"},
            },
            # The type's own label colour (white on a dark box), as the canvas draws it;
            # CUSTOM_SHAPES_JS reads it too.
            font={"color": _colour(style.font_color if style else None, DEFAULT_TEXT_COLOR)},
            **node,
        )
    pairs = {(ln.source, ln.target) for ln in data.links}
    for link in sorted(data.links, key=lambda ln: ln.seq):
        if link.source not in labels or link.target not in labels:
            continue
        style = styles.get(link.type or "")
        strength = link.strength if link.strength is not None else DEFAULT_STRENGTH
        polarity = polarity_of(link.polarity)
        symbol = POLARITY_SYMBOLS[polarity]
        color = _colour(style.color if style else None, DEFAULT_LINK_COLOR)
        extra: dict[str, Any] = {}
        if (link.target, link.source) in pairs:
            extra["smooth"] = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": RECIPROCAL_ROUNDNESS,
            }
        net.add_edge(
            link.source,
            link.target,
            arrows="to",
            color={"color": color, "highlight": "#000000", "hover": color},
            width=1 + 3 * strength,
            dashes=bool(is_dashed(style, link.confidence)),
            # The mark is drawn by MARKS_JS, as on the canvas: no text label on the line,
            # where a bare "−" reads as a dash (or a "+" where lines cross).
            ipsPolarity=polarity,
            ipsMark=MARK_SHAPES[polarity],
            ipsMarkColor=POLARITY_COLORS[polarity],
            **extra,
            title=_tooltip(
                [
                    ("", f"{labels[link.source]} \u2192 {labels[link.target]} ({symbol})"),
                    ("Effect", POLARITY_WORDS[polarity]),
                    ("Style", style.name if style else ""),
                    ("Strength", level_name(strength, STRENGTH_LEVELS)),
                    ("Confidence", level_name(link.confidence, CONFIDENCE_LEVELS)),
                    ("Rationale", link.rationale),
                    ("Evidence", link.evidence),
                    ("Notes", link.notes),
                    ("Added by", people.get(link.created_by or "", "")),
                ]
            ),
        )
    net.toggle_physics(False)
    options = json.loads(net.options.to_json())
    options["edges"] = {
        "smooth": {"enabled": True, "type": "curvedCW", "roundness": ROUNDNESS},
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.8}},
    }
    options["nodes"] = {"font": {"size": 15, "face": "sans-serif"}, "margin": 8}
    options["interaction"] = {
        "dragNodes": True,
        "hover": True,
        "tooltipDelay": 150,
        "navigationButtons": False,
        "keyboard": False,
    }
    options["physics"] = {"enabled": False}
    return list(net.nodes), list(net.edges), json.dumps(options)


_PAGE_CSS = """
html, body { margin: 0; padding: 0; height: 100%; font-family: sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
header { padding: 8px 16px; border-bottom: 1px solid #ccc; background: #f7f7f7; }
header h1 { font-size: 20px; margin: 0 0 4px 0; }
header .meta { font-size: 13px; color: #555; }
header .meta span { margin-right: 16px; }
header code { font-size: 12px; word-break: break-all; }
main { flex: 1; display: flex; min-height: 0; }
#mynetwork { flex: 1; min-width: 0; background: #ffffff; }
aside { width: 250px; overflow-y: auto; border-left: 1px solid #ccc; padding: 8px 12px;
  font-size: 13px; background: #fcfcfc; }
aside h2 { font-size: 14px; margin: 12px 0 6px 0; }
aside ul { list-style: none; margin: 0; padding: 0; }
aside li { margin: 4px 0; display: flex; align-items: center; gap: 8px; }
.swatch { flex: none; }
.line { display: inline-block; width: 28px; height: 0; border-top: 3px solid #555;
  flex: none; }
.line.dashed { border-top-style: dashed; }
.mark { flex: none; margin: 0 4px; }
aside p.hint { color: #666; margin-top: 14px; }
div.vis-tooltip { white-space: pre-wrap; max-width: 360px; font-family: sans-serif;
  font-size: 13px; }
"""


_SVG_SHAPES = {
    "box": '<rect x="1" y="3" width="24" height="14" rx="2"/>',
    "ellipse": '<ellipse cx="13" cy="10" rx="12" ry="7"/>',
    "hexagon": '<polygon points="13,1 21,5.5 21,14.5 13,19 5,14.5 5,5.5"/>',
    # The focal factor: a box with a double border, as in the window.
    "star": '<rect x="1" y="2" width="24" height="16" rx="4"/>'
    '<rect x="4" y="5" width="18" height="10" rx="2" fill="none"/>',
}


def _shape_svg(shape: str, fill: str, stroke: str) -> str:
    """A small inline SVG of a factor shape for the legend (no external resources)."""
    body = _SVG_SHAPES.get(shape, _SVG_SHAPES["box"])
    # Checked again here: an SVG fill of url(http://…) would make the page fetch it.
    fill = _colour(fill, DEFAULT_FACTOR_COLOR)
    stroke = _colour(stroke, DEFAULT_BORDER_COLOR)
    return (
        '<svg class="swatch" width="26" height="20" viewBox="0 0 26 20" aria-hidden="true">'
        f'<g fill="{html.escape(fill)}" stroke="{html.escape(stroke)}" stroke-width="1.5">'
        f"{body}</g></svg>"
    )


def _mark_svg(polarity: str) -> str:
    """A polarity mark for the key, drawn as on the map (inline SVG, no external file)."""
    kind, colour = MARK_SHAPES[polarity], POLARITY_COLORS[polarity]
    outline = {
        "circle": '<circle cx="10" cy="10" r="8"/>',
        "square": '<rect x="3.1" y="3.1" width="13.8" height="13.8"/>',
        "diamond": '<polygon points="10,0.6 19.4,10 10,19.4 0.6,10"/>',
    }[kind]
    sign = {
        "+": '<path d="M5.6 10H14.4M10 5.6V14.4"/>',
        "-": '<path d="M5.6 10H14.4"/>',
        "?": '<text x="10" y="14.5" text-anchor="middle" font-size="12" font-weight="bold" '
        f'fill="{colour}" stroke="none" font-family="sans-serif">?</text>',
    }[polarity]
    return (
        f'<svg class="mark" data-mark="{kind}" width="20" height="20" viewBox="0 0 20 20" '
        f'aria-hidden="true"><g fill="#ffffff" stroke="{colour}" stroke-width="1.5">'
        f'{outline}</g><g fill="none" stroke="{colour}" stroke-width="2.4">{sign}</g></svg>'
    )


def _legend(data: MapData) -> str:
    """The key: only the factor types, link styles and marks the map uses."""
    esc = html.escape
    key = map_key(data)
    parts: list[str] = []
    if key.factor_styles:
        parts.append("<h2>Factor types</h2><ul>")
        for s in key.factor_styles:
            shape = VIS_SHAPES.get(s.shape, "box")
            fill = _colour(s.color, DEFAULT_FACTOR_COLOR)
            border = _colour(s.border_color, DEFAULT_BORDER_COLOR)
            parts.append(f"<li>{_shape_svg(shape, fill, border)}{esc(s.name)}</li>")
        parts.append("</ul>")
    if key.link_styles:
        parts.append("<h2>Link styles</h2><ul>")
        for s in key.link_styles:
            dashed = " dashed" if s.dashes is True else ""
            line = _colour(s.color, DEFAULT_LINK_COLOR)
            parts.append(
                f'<li><span class="line{dashed}" style="border-top-color:{esc(line)}">'
                f"</span>{esc(s.name)}</li>"
            )
        parts.append("</ul>")
    if key.polarities:
        parts.append("<h2>Polarity</h2><ul>")
        for polarity in key.polarities:
            parts.append(f"<li>{_mark_svg(polarity)}{esc(POLARITY_WORDS[polarity])}</li>")
        parts.append("</ul>")
        parts.append(
            "<h2>Links</h2><ul>"
            '<li><span class="line" style="border-top-width:1px"></span>weak</li>'
            '<li><span class="line" style="border-top-width:4px"></span>strong</li>'
        )
        if key.dashed:
            parts.append('<li><span class="line dashed"></span>low confidence</li>')
        parts.append("</ul>")
    parts.append(
        '<p class="hint">Hover over a factor or link for details. Drag to pan, scroll to zoom.</p>'
    )
    return "".join(parts)


def html_text(
    data: MapData,
    snapshot_label: str | None = None,
    sha256: str | None = None,
    context: ExportContext | None = None,
) -> str:
    """The whole page for ``data`` as one self-contained HTML string."""
    view = None
    if context is not None:
        data = with_public_names(data, context)
        view = context.view
        if context.snapshot is not None:
            snapshot_label = snapshot_label or context.snapshot.label
            sha256 = sha256 or context.snapshot.sha256
    nodes, edges, options = _build_network(data)
    esc = html.escape
    info = data.info
    meta = [
        ("Project", context.project_title if context is not None else ""),
        ("Site", info.site),
        ("Saved view", f"{view.name}: {view.question}" if view is not None else ""),
        ("Kind", "theory of change" if info.kind == "toc" else f"{info.kind} map"),
        ("Snapshot", snapshot_label or ""),
        ("Exported", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    meta_html = "".join(
        f"<span><b>{esc(key)}:</b> {esc(value)}</span>" for key, value in meta if value
    )
    if sha256:
        meta_html += f"<span><b>SHA-256:</b> <code>{esc(sha256)}</code></span>"
    description = (
        f'<div class="meta">{esc(info.description)}</div>' if info.description.strip() else ""
    )
    title = info.name or "Map"
    script = (
        "(function () {\n"
        f"{CUSTOM_SHAPES_JS}"
        f"{MARKS_JS}"
        f"  var nodeList = {_json_for_script(nodes)};\n"
        "  nodeList.forEach(function (n) {\n"
        "    if (n.ipsShape) { n.ctxRenderer = ipsRenderer(n); }\n"
        "  });\n"
        "  var nodes = new vis.DataSet(nodeList);\n"
        f"  var edges = new vis.DataSet({_json_for_script(edges)});\n"
        "  var edgeList = edges.get();\n"
        f"  var options = {_json_for_script(json.loads(options))};\n"
        '  var container = document.getElementById("mynetwork");\n'
        "  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);\n"
        "  // Fit the workshop layout, then leave a margin for labels drawn below shapes.\n"
        "  network.once('afterDrawing', function () {\n"
        "    network.fit({animation: false});\n"
        "    network.moveTo({scale: network.getScale() * 0.9, animation: false});\n"
        "  });\n"
        "  var marks = {top: [], beneath: []};\n"
        "  network.on('beforeDrawing', function (ctx) {\n"
        "    marks = ipsPlaceMarks(network, edgeList);\n"
        "    ipsDrawMarks(ctx, marks.beneath);\n"
        "  });\n"
        "  network.on('afterDrawing', function (ctx) { ipsDrawMarks(ctx, marks.top); });\n"
        "  window.ipsmapNetwork = network;\n"
        "})();\n"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f"<style>{_script_safe(_pyvis_lib_file('vis-network.css'))}</style>\n"
        f"<style>{_PAGE_CSS}</style>\n"
        f"<script>{_script_safe(_pyvis_lib_file('vis-network.min.js'))}</script>\n"
        "</head>\n<body>\n"
        f'<header><h1>{esc(title)}</h1><div class="meta">{meta_html}</div>{description}'
        "</header>\n"
        '<main><div id="mynetwork"></div>'
        f"<aside>{_legend(data)}</aside></main>\n"
        f"<script>\n{script}</script>\n"
        "</body>\n</html>\n"
    )


def write_html(
    data: MapData,
    path: str | os.PathLike[str],
    snapshot_label: str | None = None,
    sha256: str | None = None,
    context: ExportContext | None = None,
) -> None:
    """Write the offline page for ``data`` to ``path`` atomically (temp file, then replace)."""
    target = Path(path)
    report(context, 0.0, "Building the web page")
    text = html_text(data, snapshot_label=snapshot_label, sha256=sha256, context=context)
    report(context, 0.9, "Saving the web page")
    write_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


FORMATS = [
    MapFormat(
        name="html",
        label="Interactive web page (offline)",
        suffixes=(".html", ".htm"),
        read=None,
        write=write_html,
        takes_context=True,
    )
]
