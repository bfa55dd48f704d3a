"""Holdings as simple Dublin Core (the ``oai_dc`` schema OAI-PMH requires).

One holding is an ``<oai_dc:dc>`` element; a list is a ``<records>`` element holding one per
holding. The mapping is in docs/exchange.md.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from guji.exchange.records import Description, full_extent

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

ET.register_namespace("oai_dc", OAI_DC_NS)
ET.register_namespace("dc", DC_NS)
ET.register_namespace("xsi", XSI_NS)


def _person(p) -> str:
    dynasty = f"（{p.dynasty}）" if p.dynasty else ""
    return f"{dynasty}{p.name}{p.role}"


def elements(d: Description) -> list[tuple[str, str]]:
    """(element, value) pairs in the order they are written; empty values left out."""
    people = [_person(p) for p in d.people]
    pairs = [
        ("title", d.title_juan),
        *[("creator", text) for text in people[:1]],
        *[("contributor", text) for text in people[1:]],
        ("subject", d.sibu),
        ("description", f"版本：{d.edition_statement}" if d.edition_statement else ""),
        ("description", f"版式：{d.layout}" if d.layout else ""),
        ("description", f"存缺卷：{d.extant}" if d.extant else ""),
        ("description", f"批校题跋：{d.annotations}" if d.annotations else ""),
        ("description", f"钤印：{'；'.join(d.seals)}" if d.seals else ""),
        ("description", f"定级：{d.grade}" if d.grade else ""),
        ("description", d.notes),
        ("publisher", d.publisher),
        ("date", d.date_text),
        ("date", str(d.year) if d.year is not None else ""),
        ("type", "Text"),
        ("type", d.edition_type),
        ("format", full_extent(d)),
        ("format", d.binding),
        ("identifier", d.census_number),
        ("identifier", f"{d.institution} {d.call_number}"),
        ("language", "chi"),
        ("relation", d.series),
    ]
    return [(name, value) for name, value in pairs if value]


def element(d: Description) -> ET.Element:
    root = ET.Element(
        f"{{{OAI_DC_NS}}}dc", {f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}"}
    )
    for name, value in elements(d):
        ET.SubElement(root, f"{{{DC_NS}}}{name}").text = value
    return root


def write_one(d: Description) -> bytes:
    return ET.tostring(element(d), encoding="utf-8", xml_declaration=True)


def write_list(descriptions: Iterable[Description]) -> bytes:
    root = ET.Element("records")
    for d in descriptions:
        root.append(element(d))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
