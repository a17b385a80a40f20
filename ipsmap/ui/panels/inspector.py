"""The inspector: every field of the selected factor or link (or of the map), editable.

Each field commits one command when the user finishes editing it (Enter or leaving the
field); a change from elsewhere (undo, the table, a co-editor) refreshes the fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.cmo_queries import cmos_explaining
from ipsmap.model.commands import EditFactor, EditFactors, EditLink, EditLinks, EditMap
from ipsmap.model.entities import CONFIDENCE_LEVELS, STRENGTH_LEVELS, level_name
from ipsmap.model.toc_notes import ASSUMPTIONS, INDICATORS, TOC_LIST_KEYS, toc_list, with_toc_list
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.hallway import Hallway
from ipsmap.ui.panels.lines_editor import LinesEditor

POLARITY_CHOICES = [
    ("+", "+  same direction (more leads to more)"),
    ("-", "−  opposite direction (more leads to less)"),
    ("?", "?  unknown or complex"),
]
STRENGTH_CHOICES = [(v, n.capitalize()) for n, v in STRENGTH_LEVELS.items()]
CONFIDENCE_CHOICES = [(None, "Not rated")] + [
    (v, n.capitalize()) for n, v in CONFIDENCE_LEVELS.items()
]


class CommitText(QPlainTextEdit):
    """Multi-line text that commits when focus leaves it."""

    def __init__(self, on_commit: Callable[[str], None]) -> None:
        super().__init__()
        self._on_commit = on_commit
        self.setTabChangesFocus(True)
        self.setMaximumHeight(90)

    def focusOutEvent(self, event) -> None:
        self._on_commit(self.toPlainText())
        super().focusOutEvent(event)

    def set_text_quietly(self, text: str) -> None:
        if not self.hasFocus() and self.toPlainText() != text:
            self.setPlainText(text)


def _line(name: str, on_commit: Callable[[str], None]) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(name.replace("inspector-", "").replace("-", " "))
    edit.editingFinished.connect(lambda: on_commit(edit.text()))
    return edit


def _combo(name: str, choices: list, on_pick: Callable[[object], None]) -> QComboBox:
    combo = QComboBox()
    # Long choice texts must not force the dock wider than the screen allows.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    combo.setObjectName(name)
    combo.setAccessibleName(name.replace("inspector-", "").replace("-", " "))
    for value, text in choices:
        combo.addItem(text, value)
    combo.activated.connect(lambda index: on_pick(combo.itemData(index)))
    return combo


def _set_combo(combo: QComboBox, value: object) -> None:
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            combo.setCurrentIndex(i)
            return
    combo.setCurrentIndex(-1)


class Inspector(QScrollArea):
    """Shows and edits the selection: one factor, one link, several, or the map itself."""

    def __init__(self, hallway: Hallway, editor: MapEditor) -> None:
        super().__init__()
        self.setObjectName("inspector")
        self.setAccessibleName("Inspector")
        self.setWidgetResizable(True)
        # Fields shrink to the dock's width instead of scrolling sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.editor = editor
        self.hallway = hallway
        self.factor_id: str | None = None
        self.link_id: str | None = None
        self.pages = QStackedWidget()
        self.setWidget(self.pages)
        self._build_no_map_page()
        self._build_map_page()
        self._build_factor_page()
        self._build_link_page()
        self._build_many_page()
        hallway.document_changed.connect(lambda _document: self.refresh())
        hallway.selection_changed.connect(lambda _factors, _links: self.refresh())
        hallway.model_changed.connect(lambda _change: self.refresh())
        # The factor page lists the CMOs that name the factor.
        hallway.project_records_changed.connect(self._project_changed)

    # -- pages --------------------------------------------------------------------------

    def _page(self, title: str) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        outer = QVBoxLayout(page)
        heading = QLabel(f"<b>{title}</b>")
        heading.setObjectName("inspector-heading")
        outer.addWidget(heading)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(form)
        outer.addStretch(1)
        self.pages.addWidget(page)
        return page, form

    def _build_no_map_page(self) -> None:
        # Shown whenever the hallway shows no map, so no field of an earlier map (or an
        # earlier project) stays on screen looking editable.
        self.no_map_page, form = self._page("No map shown")
        self.no_map_text = QLabel()
        self.no_map_text.setObjectName("inspector-no-map")
        self.no_map_text.setWordWrap(True)
        form.addRow(self.no_map_text)

    def _build_map_page(self) -> None:
        self.map_page, form = self._page("Map")
        self.map_name = _line("inspector-map-name", lambda t: self._edit_map("name", t))
        self.map_site = _line("inspector-map-site", lambda t: self._edit_map("site", t))
        self.map_kind = QLabel()
        self.map_description = CommitText(lambda t: self._edit_map("description", t))
        self.map_description.setObjectName("inspector-map-description")
        self.map_counts = QLabel()
        form.addRow("Name", self.map_name)
        form.addRow("Site", self.map_site)
        form.addRow("Kind", self.map_kind)
        form.addRow("Description", self.map_description)
        form.addRow("Contents", self.map_counts)

    def _build_factor_page(self) -> None:
        self.factor_page, form = self._page("Factor")
        self.factor_label = _line("inspector-label", lambda t: self._edit_factor("label", t))
        self.factor_type = _combo("inspector-type", [], lambda v: self._edit_factor("type", v))
        self.factor_notes = CommitText(lambda t: self._edit_factor("notes", t))
        self.factor_notes.setObjectName("inspector-notes")
        self.factor_attributes = CommitText(self._edit_factor_attributes)
        self.factor_attributes.setObjectName("inspector-attributes")
        self.factor_attributes.setToolTip("One per line: name: value")
        self.factor_links = QLabel()
        self.factor_provenance = QLabel()
        self.factor_provenance.setWordWrap(True)
        form.addRow("Label", self.factor_label)
        form.addRow("Type", self.factor_type)
        form.addRow("Notes", self.factor_notes)
        form.addRow("Attributes", self.factor_attributes)
        self.factor_toc = _toc_rows(form, "factor", self._edit_factor_toc)
        self.factor_cmos = _cmos_label(form)
        form.addRow("Links", self.factor_links)
        form.addRow("Who / when", self.factor_provenance)

    def _build_link_page(self) -> None:
        self.link_page, form = self._page("Link")
        self.link_ends = QLabel()
        self.link_ends.setWordWrap(True)
        self.link_polarity = _combo(
            "inspector-polarity", POLARITY_CHOICES, lambda v: self._edit_link("polarity", v)
        )
        self.link_strength = _combo(
            "inspector-strength", STRENGTH_CHOICES, lambda v: self._edit_link("strength", v)
        )
        self.link_confidence = _combo(
            "inspector-confidence", CONFIDENCE_CHOICES, lambda v: self._edit_link("confidence", v)
        )
        self.link_type = _combo("inspector-link-type", [], lambda v: self._edit_link("type", v))
        self.link_rationale = CommitText(lambda t: self._edit_link("rationale", t))
        self.link_rationale.setObjectName("inspector-rationale")
        self.link_rationale.setPlaceholderText("Why does this lead to that?")
        self.link_evidence = CommitText(lambda t: self._edit_link("evidence", t))
        self.link_evidence.setObjectName("inspector-evidence")
        self.link_notes = CommitText(lambda t: self._edit_link("notes", t))
        self.link_notes.setObjectName("inspector-link-notes")
        self.link_provenance_text = _line(
            "inspector-provenance", lambda t: self._edit_link("provenance", t)
        )
        self.link_who = QLabel()
        self.link_who.setWordWrap(True)
        form.addRow("Link", self.link_ends)
        form.addRow("Polarity", self.link_polarity)
        form.addRow("Strength", self.link_strength)
        form.addRow("Confidence", self.link_confidence)
        form.addRow("Style", self.link_type)
        form.addRow("Rationale", self.link_rationale)
        form.addRow("Evidence", self.link_evidence)
        form.addRow("Notes", self.link_notes)
        form.addRow("Source", self.link_provenance_text)
        self.link_toc = _toc_rows(form, "link", self._edit_link_toc)
        self.link_cmos = _cmos_label(form)
        form.addRow("Who / when", self.link_who)

    def _build_many_page(self) -> None:
        self.many_page, form = self._page("Several selected")
        self.many_summary = QLabel()
        self.many_type = _combo("inspector-all-type", [], self._set_all_types)
        self.many_polarity = _combo(
            "inspector-all-polarity", POLARITY_CHOICES, self._set_all_links("polarity")
        )
        self.many_strength = _combo(
            "inspector-all-strength", STRENGTH_CHOICES, self._set_all_links("strength")
        )
        form.addRow(self.many_summary)
        form.addRow("Type of all factors", self.many_type)
        form.addRow("Polarity of all links", self.many_polarity)
        form.addRow("Strength of all links", self.many_strength)

    # -- refresh ------------------------------------------------------------------------------

    def _project_changed(self, change: Change) -> None:
        if change.touches("cmos"):
            self.refresh()

    def refresh(self) -> None:
        doc = self.hallway.document
        if doc is None:
            self.factor_id = self.link_id = None
            self.no_map_text.setText(
                "No project is open."
                if self.hallway.project is None
                else "This project has no map yet: Map → New map… (Ctrl+Shift+N) adds one."
            )
            self.pages.setCurrentWidget(self.no_map_page)
            return
        factors = self.hallway.selected_factor_ids
        links = self.hallway.selected_link_ids
        self.factor_id = factors[0] if len(factors) == 1 and not links else None
        self.link_id = links[0] if len(links) == 1 and not factors else None
        if self.factor_id is not None and self.factor_id in doc.factors:
            self._show_factor(doc, doc.factors[self.factor_id])
        elif self.link_id is not None and self.link_id in doc.links:
            self._show_link(doc, doc.links[self.link_id])
        elif factors or links:
            self._show_many(doc, factors, links)
        else:
            self._show_map(doc)

    def _show_map(self, doc) -> None:
        self.pages.setCurrentWidget(self.map_page)
        info = doc.info
        _set_text(self.map_name, info.name)
        _set_text(self.map_site, info.site)
        self.map_kind.setText("Theory of change" if info.kind == "toc" else "Systems map")
        self.map_description.set_text_quietly(info.description)
        self.map_counts.setText(f"{len(doc.factors)} factors, {len(doc.links)} links")

    def _show_factor(self, doc, factor) -> None:
        self.pages.setCurrentWidget(self.factor_page)
        _set_text(self.factor_label, factor.label)
        _fill_styles(self.factor_type, doc.state.factor_styles())
        _set_combo(self.factor_type, factor.type)
        self.factor_notes.set_text_quietly(factor.notes)
        self.factor_attributes.set_text_quietly(_attributes_text(_free(factor.attributes)))
        self._show_toc(doc, self.factor_toc, self.factor_cmos, factor)
        n_in = sum(1 for lid in doc.state.links_of(factor.id) if doc.links[lid].target == factor.id)
        n_out = len(doc.state.links_of(factor.id)) - n_in
        self.factor_links.setText(f"{n_in} in, {n_out} out")
        self.factor_provenance.setText(self._who(factor))

    def _show_link(self, doc, link) -> None:
        self.pages.setCurrentWidget(self.link_page)
        source, target = doc.factors[link.source].label, doc.factors[link.target].label
        self.link_ends.setText(f"{source} → {target}")
        _set_combo(self.link_polarity, link.polarity)
        _set_combo(
            self.link_strength,
            STRENGTH_LEVELS[level_name(link.strength, STRENGTH_LEVELS)],
        )
        _set_combo(
            self.link_confidence,
            None
            if link.confidence is None
            else CONFIDENCE_LEVELS[level_name(link.confidence, CONFIDENCE_LEVELS)],
        )
        _fill_styles(self.link_type, doc.state.link_styles())
        _set_combo(self.link_type, link.type)
        self.link_rationale.set_text_quietly(link.rationale)
        self.link_evidence.set_text_quietly(link.evidence)
        self.link_notes.set_text_quietly(link.notes)
        _set_text(self.link_provenance_text, link.provenance)
        self.link_who.setText(self._who(link))
        self._show_toc(doc, self.link_toc, self.link_cmos, link)

    def _show_many(self, doc, factors: list[str], links: list[str]) -> None:
        self.pages.setCurrentWidget(self.many_page)
        self.many_summary.setText(f"{len(factors)} factors and {len(links)} links selected")
        _fill_styles(self.many_type, doc.state.factor_styles())
        self.many_type.setCurrentIndex(-1)
        self.many_polarity.setCurrentIndex(-1)
        self.many_strength.setCurrentIndex(-1)
        self.many_type.setEnabled(bool(factors))
        self.many_polarity.setEnabled(bool(links))
        self.many_strength.setEnabled(bool(links))

    def _who(self, record) -> str:
        people = self.hallway.document.project.participants if self.hallway.document else {}

        def name(pid):
            person = people.get(pid)
            return f"{person.pseudonym} ({person.stakeholder_group})" if person else "unknown"

        return (
            f"Added by {name(record.created_by)}, {record.created_at[:16].replace('T', ' ')}\n"
            f"Changed by {name(record.modified_by)}, {record.modified_at[:16].replace('T', ' ')}"
        )

    # -- committing edits ----------------------------------------------------------------------

    def _edit_map(self, field: str, value: str) -> None:
        doc = self.hallway.document
        if doc is not None and getattr(doc.info, field) != value:
            if field == "name" and not value.strip():
                self._show_map(doc)
                return
            self.editor.run(EditMap({field: value}))

    def _edit_factor(self, field: str, value: object) -> None:
        doc = self.hallway.document
        if doc is None or self.factor_id not in doc.factors:
            return
        changed = getattr(doc.factors[self.factor_id], field) != value
        if changed and not self.editor.run(EditFactor(self.factor_id, {field: value})):
            self.refresh()

    def _edit_factor_attributes(self, text: str) -> None:
        doc = self.hallway.document
        if doc is None or self.factor_id not in doc.factors:
            return
        # Assumptions and indicators have their own editors; the text leaves them alone.
        kept = {
            k: v for k, v in doc.factors[self.factor_id].attributes.items() if k in TOC_LIST_KEYS
        }
        self._edit_factor("attributes", {**_parse_attributes(text), **kept})

    def _show_toc(self, doc, editors: dict, cmos_label: QLabel, record) -> None:
        """Assumptions, indicators and the CMOs explaining a factor or link."""
        is_toc = doc.info.kind == "toc"
        for key, editor in editors.items():
            editor.set_lines(toc_list(record.attributes, key))
            editor.set_read_only(getattr(doc.project, "read_only", True))
            editor.row_label.setText(TOC_TITLES[key] + ("" if is_toc else " (ToC)"))
        # A frozen snapshot's document has no CMOs of its own.
        has_cmos = hasattr(doc.project, "cmos")
        codes = [c.code for c in cmos_explaining(doc.project, record.id)] if has_cmos else []
        cmos_label.setText(", ".join(codes) if codes else "none")

    def _edit_factor_toc(self, key: str, lines: list) -> None:
        doc = self.hallway.document
        if doc is not None and self.factor_id in doc.factors:
            attributes = doc.factors[self.factor_id].attributes
            self._edit_factor("attributes", with_toc_list(attributes, key, lines))

    def _edit_link_toc(self, key: str, lines: list) -> None:
        doc = self.hallway.document
        if doc is not None and self.link_id in doc.links:
            attributes = doc.links[self.link_id].attributes
            self._edit_link("attributes", with_toc_list(attributes, key, lines))

    def _edit_link(self, field: str, value: object) -> None:
        doc = self.hallway.document
        if doc is None or self.link_id not in doc.links:
            return
        if getattr(doc.links[self.link_id], field) != value:
            self.editor.run(EditLink(self.link_id, {field: value}))

    def _set_all_types(self, style_id: object) -> None:
        factors = self.hallway.selected_factor_ids
        if factors and style_id:
            self.editor.run(EditFactors(factors, {"type": style_id}))

    def _set_all_links(self, field: str) -> Callable[[object], None]:
        def apply(value: object) -> None:
            links = self.hallway.selected_link_ids
            if links:
                self.editor.run(EditLinks(links, {field: value}))

        return apply


def _set_text(edit: QLineEdit, text: str) -> None:
    if not edit.hasFocus() and edit.text() != text:
        edit.setText(text)
        edit.setCursorPosition(0)


def _fill_styles(combo: QComboBox, styles) -> None:
    wanted = [(s.id, s.name) for s in styles]
    current = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
    if wanted != current:
        combo.clear()
        for style_id, name in wanted:
            combo.addItem(name, style_id)


TOC_TITLES = {ASSUMPTIONS: "Assumptions", INDICATORS: "Indicators"}


def _toc_rows(form: QFormLayout, kind: str, on_change) -> dict[str, LinesEditor]:
    """Assumption and indicator editors for a factor or link page (for every map kind)."""
    editors = {}
    for key, title in TOC_TITLES.items():
        editor = LinesEditor(f"inspector-{kind}-{key}", f"{title} (theory of change)")
        editor.setToolTip(
            f"{title} of this {kind} in a theory of change: one per line. "
            "Double-click to change one, Delete to remove it."
        )
        editor.lines_changed.connect(lambda lines, key=key: on_change(key, lines))
        editor.row_label = QLabel(title)
        form.addRow(editor.row_label, editor)
        editors[key] = editor
    return editors


def _cmos_label(form: QFormLayout) -> QLabel:
    label = QLabel()
    label.setObjectName("inspector-cmos")
    label.setWordWrap(True)
    label.setToolTip("The CMO configurations that explain this (see the CMO panel)")
    form.addRow("CMOs", label)
    return label


def _free(attributes: dict) -> dict:
    """The free attributes, without the lists that have their own editors."""
    return {k: v for k, v in attributes.items() if k not in TOC_LIST_KEYS}


def _attributes_text(attributes: dict) -> str:
    return "\n".join(
        f"{k}: {v if isinstance(v, str) else json.dumps(v)}" for k, v in attributes.items()
    )


def _parse_attributes(text: str) -> dict:
    """``name: value`` lines; values that read as JSON numbers/booleans keep that type."""
    result: dict = {}
    for line in text.splitlines():
        if ":" not in line:
            continue
        key, value = line.split(":", 1)
        key, value = key.strip(), value.strip()
        if not key:
            continue
        try:
            parsed = json.loads(value)
            result[key] = parsed if not isinstance(parsed, (dict, list)) else value
        except ValueError:
            result[key] = value
    return result
