"""Small valid files of every readable format, and the hostile values put into them.

Each template is a map of two factors ("Alpha", "Beta") and one link, with markers where
the hostile values go: LABEL (a factor's label), NUMBER (a position or weight) and ATTR
(a free value, where the format has one). Tests replace a marker and read the file with
the format's own reader (not through the registry's guard), so a reader's own escape fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import ipsmap.formats.interchange  # noqa: F401 - registers the formats
from ipsmap.formats.base import ReadOptions
from ipsmap.formats.registry import get_format
from ipsmap.model.mapdata import MapData


@dataclass(frozen=True)
class Template:
    format: str
    suffix: str
    text: str
    # JSON formats take escapes (\\ud800) and nesting in ATTR; others take raw text.
    json: bool = False
    # A companion file written beside (name, text): the links table of a CSV pair.
    sibling: tuple[str, str] | None = None

    def write(self, folder: Path, label: str, number: str, attr: str) -> Path:
        text = self.text.replace("LABEL", label).replace("NUMBER", number)
        text = text.replace("ATTR", attr)
        path = folder / f"map{self.suffix}"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        if self.sibling is not None:
            (folder / self.sibling[0]).write_text(self.sibling[1], encoding="utf-8")
        return path


_PRSM = """{"version": "2.3", "mapTitle": "Fuzz", "lastNodeSample": "group0",
 "nodes": [{"id": "a", "label": "LABEL", "x": NUMBER, "y": 1, "grp": "group0",
            "att1": ATTR},
           {"id": "b", "label": "Beta", "x": 0, "y": 0, "grp": "group0"}],
 "edges": [{"id": "e", "from": "a", "to": "b", "grp": "edge0"}]}"""

TEMPLATES = [
    Template(
        "json",
        ".json",
        """{"format": "ipsmap-map", "version": 1, "map": {"name": "Fuzz"},
 "factors": [{"id": "a", "label": "LABEL", "x": NUMBER, "attributes": {"k": ATTR}},
             {"id": "b", "label": "Beta"}],
 "links": [{"id": "l", "source": "a", "target": "b", "polarity": "-"}]}""",
        json=True,
    ),
    Template("prsm", ".prsm", _PRSM, json=True),
    Template(
        "kumu",
        ".json",
        """{"elements": [{"_id": "a", "attributes": {"label": "LABEL", "note": ATTR}},
              {"_id": "b", "attributes": {"label": "Beta"}}],
 "connections": [{"_id": "c", "from": "a", "to": "b",
                  "attributes": {"connection type": "+", "weight": NUMBER}}],
 "maps": [{"elements": [{"element": "a", "position": {"x": NUMBER, "y": 1}}]}]}""",
        json=True,
    ),
    Template(
        "mentalmodeler",
        ".mmp",
        """{"info": {"name": "Fuzz", "extra": ATTR}, "concepts": [
 {"id": "1", "name": "LABEL", "x": NUMBER, "y": 2,
  "relationships": [{"id": "2", "influence": NUMBER}]},
 {"id": "2", "name": "Beta", "x": 0, "y": 0, "relationships": []}]}""",
        json=True,
    ),
    Template(
        "loopy",
        ".loopy",
        """{"data": "[[[1,NUMBER,5,0,\\"LABEL\\",0],[2,9,9,0,\\"Beta\\",1]],[[1,2,20,1]],[],2]"}""",
        json=True,
    ),
    Template(
        "graphml",
        ".graphml",
        """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
 <key id="l" for="node" attr.name="label" attr.type="string"/>
 <key id="x" for="node" attr.name="x" attr.type="double"/>
 <key id="n" for="node" attr.name="notes" attr.type="string"/>
 <graph edgedefault="directed">
  <node id="a"><data key="l">LABEL</data><data key="x">NUMBER</data><data key="n">ATTR</data></node>
  <node id="b"><data key="l">Beta</data></node>
  <edge source="a" target="b"/>
 </graph>
</graphml>""",
    ),
    Template(
        "gexf",
        ".gexf",
        """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">
 <graph defaultedgetype="directed">
  <attributes class="node"><attribute id="0" title="notes" type="string"/></attributes>
  <nodes>
   <node id="a" label="LABEL"><attvalues><attvalue for="0" value="ATTR"/></attvalues></node>
   <node id="b" label="Beta"/>
  </nodes>
  <edges><edge id="0" source="a" target="b" weight="NUMBER"/></edges>
 </graph>
</gexf>""",
    ),
    Template(
        "gml",
        ".gml",
        """graph [ directed 1
 node [ id 0 label "LABEL" x NUMBER notes "ATTR" ]
 node [ id 1 label "Beta" ]
 edge [ source 0 target 1 ]
]""",
    ),
    Template(
        "csv",
        "-factors.csv",
        "id,label,x,notes,extra\na,LABEL,NUMBER,ATTR,NUMBER\nb,Beta,0,,\n",
        sibling=("map-links.csv", "from,to,polarity\na,b,-\n"),
    ),
    Template("matrix", ".matrix.csv", ",LABEL,Beta\nLABEL,0,NUMBER\nBeta,1,0\n"),
    Template(
        "vensim",
        ".mdl",
        """{UTF-8}
LABEL = A FUNCTION OF( Beta)
\t~\t
\t~\t|

Beta = A FUNCTION OF( )
\t~\t
\t~\t|

\\\\\\---/// Sketch information - do not modify anything except names
V300  Do not put anything below this section - it will be ignored
*View 1
$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0
10,1,LABEL,NUMBER,100,40,20,3,3,0,0,0,0,0
10,2,Beta,300,100,40,20,3,3,0,0,0,0,0
1,3,2,1,1,0,0,0,0,64,0,-1--1--1,,1|(200,100)|
///---\\\\\\
""",
    ),
]

# What goes in place of LABEL, NUMBER and ATTR: the classes of hostile value.
HUGE_NUMBERS = ["1" * 5000, "1" * 400, "-" + "9" * 400, "1e999", "1" * 40 + ".5"]
JSON_LABELS = ["\\ud800", "a\\udfffb", "\\u0000\\u001b\\u007f", "x" * 200_000]
RAW_LABELS = ["a\x01\x1bb", "x" * 200_000, "\ufeff", "\u202e\u2028"]
DEEP = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 3000 + "1" + "}" * 3000


def read_directly(fmt_name: str, path: Path) -> list[MapData]:
    """The format's own reader, called as the registry would but without its guard."""
    fmt = get_format(fmt_name)
    assert fmt.read is not None
    return fmt.read(path, ReadOptions())


def assert_storable(maps: list[MapData], keep_controls: bool = False) -> None:
    """A reader's result holds only what a project can store: valid text, finite numbers."""
    for data in maps:
        records = [data.info, *data.styles, *data.factors, *data.links, *data.groups]
        for record in records:
            for name, value in vars(record).items():
                if isinstance(value, str):
                    value.encode("utf-8")  # a lone surrogate raises here
                    if not keep_controls:
                        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in value), name
                elif isinstance(value, float):
                    assert value == value and abs(value) != float("inf"), name
            json.dumps(getattr(record, "attributes", {}), allow_nan=False).encode("utf-8")
