"""The key beneath the PDF map figure: only the types, styles and marks the map uses."""

from __future__ import annotations

from typing import Any

from ipsmap.export.map_key import POLARITY_WORDS, MapKey
from ipsmap.export.pdf_shapes import (
    DEFAULT_BORDER_COLOR,
    DEFAULT_FACTOR_COLOR,
    DEFAULT_LINK_COLOR,
    colour,
    mark_nodes,
    shape_nodes,
)


class Legend:
    """The key along the bottom: factor types, link styles and marks the map uses."""

    SIZE = 7.5
    ROW = 14.0
    INDENT = 60.0

    def __init__(self, key: MapKey, width: float, font: str, bold: str) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.key, self.width, self.font, self.bold = key, width, font, bold

        def text_w(text: str) -> float:
            return stringWidth(text, font, self.SIZE)

        # Each section: a title and its entries (what to draw, its text, its width).
        self.sections: list[tuple[str, list[tuple[str, Any, str, float]]]] = []
        if key.factor_styles:
            entries = [("factor", s, s.name, 26 + text_w(s.name) + 10) for s in key.factor_styles]
            self.sections.append(("Factor types", entries))
        if key.polarities:
            links: list[tuple[str, Any, str, float]] = [
                ("style", s, s.name, 26 + text_w(s.name) + 10) for s in key.link_styles
            ]
            for text, w_pt in (("weak", 0.8), ("strong", 1.8)):
                links.append(("width", w_pt, text, 26 + text_w(text) + 10))
            if key.dashed:
                text = "low confidence or dashed style"
                links.append(("dashed", None, text, 26 + text_w(text) + 10))
            self.sections.append(("Links", links))
            marks = [
                ("mark", p, POLARITY_WORDS[p], 14 + text_w(POLARITY_WORDS[p]) + 14)
                for p in key.polarities
            ]
            self.sections.append(("Polarity", marks))
        self.rows = [self._flow(entries) for _, entries in self.sections]
        self.height = 22.0 + self.ROW * sum(len(rows) for rows in self.rows)

    def _flow(self, entries: list[tuple[str, Any, str, float]]) -> list[list[Any]]:
        rows: list[list[Any]] = [[]]
        x = self.INDENT
        for entry in entries:
            if rows[-1] and x + entry[3] > self.width:
                rows.append([])
                x = self.INDENT
            rows[-1].append((x, entry))
            x += entry[3]
        return rows

    def draw(self, drawing: Any) -> None:
        from reportlab.graphics.shapes import Line, String
        from reportlab.lib.colors import HexColor

        size = self.SIZE
        drawing.add(
            Line(0, self.height - 2, self.width, self.height - 2, strokeColor=HexColor("#bbbbbb"))
        )
        y = self.height - 16
        for (title, _), rows in zip(self.sections, self.rows, strict=True):
            drawing.add(String(2.0, y, title, fontName=self.bold, fontSize=size))
            for row in rows:
                for x, (kind, value, text, _) in row:
                    text_x = x + 26
                    if kind == "factor":
                        fill = colour(value.color, DEFAULT_FACTOR_COLOR)
                        stroke = colour(value.border_color, DEFAULT_BORDER_COLOR)
                        for item in shape_nodes(
                            value.shape, x + 10, y + 2.5, 20, 10, fill, stroke, 0.8
                        ):
                            drawing.add(item)
                    elif kind == "mark":
                        for item in mark_nodes(value, x + 5, y + 2.5, 4.6):
                            drawing.add(item)
                        text_x = x + 14
                    else:
                        line_colour = colour(
                            value.color if kind == "style" else None, DEFAULT_LINK_COLOR
                        )
                        dashed = kind == "dashed" or (kind == "style" and value.dashes)
                        w_pt = value if kind == "width" else 1.1
                        drawing.add(
                            Line(
                                x,
                                y + 2.5,
                                x + 22,
                                y + 2.5,
                                strokeWidth=w_pt,
                                strokeColor=line_colour,
                                strokeDashArray=[3, 2] if dashed else None,
                            )
                        )
                    drawing.add(String(text_x, y, text, fontName=self.font, fontSize=size))
                y -= self.ROW
            y -= 2
