"""Holdings as MARC 21 and as CNMARC (the UNIMARC-based Chinese MARC), written with pymarc.

Both are UTF-8: leader/09 is "a" in both (MARC 21 defines it so; UNIMARC leaves it undefined
and says the character set in 100 $a/26-29, which is "50" = ISO 10646, but pymarc and most
systems read leader/09). Binary ISO 2709 (``.mrc``) and MARCXML (the MARC 21 slim schema, used
for UNIMARC records too). The field mapping is in docs/exchange.md.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from pymarc import Field, Indicators, Leader, Record, Subfield, XMLWriter, record_to_xml_node

from guji.exchange.records import Description, full_extent

MARC21 = "marc21"
CNMARC = "cnmarc"
FLAVOURS = (MARC21, CNMARC)
SOURCE_CODES = {"2", "5"}  # source of a term, institution a copy note belongs to

MARC21_LEADER = "00000nam a2200000 c 4500"  # 18 "c": ISBD punctuation omitted
CNMARC_LEADER = "00000nam0a2200000 i 450 "  # 8 "0": no hierarchy; 18 "i": partial ISBD


def _sub(*pairs: tuple[str, str]) -> list[Subfield]:
    return [Subfield(code, value) for code, value in pairs if value]


def _field(tag: str, ind: str, *pairs: tuple[str, str]) -> Field | None:
    subfields = _sub(*pairs)
    if not any(s.code not in SOURCE_CODES for s in subfields):  # a $2 or $5 alone says nothing
        return None
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subfields)


def _record(leader: str, fields: Iterable[Field | None]) -> Record:
    record = Record(force_utf8=True)
    record.leader = Leader(leader)  # the constructor would force MARC 21's "4500" on CNMARC
    record.add_field(*[f for f in fields if f is not None])
    return record


def _stamp(d: Description) -> str:
    return d.modified.strftime("%Y%m%d%H%M%S.") + str(d.modified.microsecond // 100000)


def _year4(year: int | None) -> str:
    return f"{year:04d}" if year is not None and 0 <= year <= 9999 else "uuuu"


def marc21(d: Description) -> Record:
    leader = MARC21_LEADER
    if d.manuscript:
        leader = leader[:6] + "t" + leader[7:]
    fixed = (
        d.created.strftime("%y%m%d")
        + ("s" if d.year is not None else "n")
        + _year4(d.year)
        + "    "  # date 2
        + "cc "  # China
        + "    "  # illustrations
        + " "  # audience
        + " "  # form of item
        + "    "  # nature of contents
        + " 000 0 "  # government publication … biography
        + "chi"
        + " d"  # modified record, cataloguing source: other
    )
    people = [
        _field(
            "100" if i == 0 else "700",
            "0 ",
            ("a", p.name),
            ("c", f"（{p.dynasty}）" if p.dynasty else ""),
            ("e", p.role),
        )
        for i, p in enumerate(d.people)
    ]
    return _record(
        leader,
        [
            Field(tag="001", data=d.identifier),
            Field(tag="003", data="CN-GUJI"),
            Field(tag="005", data=_stamp(d)),
            Field(tag="008", data=fixed),
            _field("024", "8 ", ("a", d.census_number)),
            _field("040", "  ", ("a", d.institution_code), ("b", "chi")),
            _field("084", "  ", ("a", d.sibu), ("2", "sibu")),
            people[0] if people else None,
            _field(
                "245",
                ("1" if people else "0") + "0",
                ("a", d.title),
                ("b", d.juan),
                ("c", d.responsibility),
            ),
            _field("250", "  ", ("a", d.edition_statement)),
            _field("260", "  ", ("b", d.publisher), ("c", d.date_text)),
            _field("300", "  ", ("a", full_extent(d))),
            _field("490", "0 ", ("a", d.series)),
            _field("500", "  ", ("a", f"版式：{d.layout}" if d.layout else "")),
            _field("500", "  ", ("a", f"存缺卷：{d.extant}" if d.extant else "")),
            _field("500", "  ", ("a", f"批校题跋：{d.annotations}" if d.annotations else "")),
            _field("500", "  ", ("a", d.notes)),
            _field("561", "  ", ("a", "；".join(d.seals))),
            _field("563", "  ", ("a", d.binding)),
            _field("590", "  ", ("a", f"定级：{d.grade}" if d.grade else "")),
            _field("655", " 7", ("a", d.edition_type), ("2", "local")),
            *people[1:],
            _field("852", "  ", ("a", d.institution), ("j", d.call_number)),
        ],
    )


def cnmarc(d: Description) -> Record:
    general = (
        d.created.strftime("%Y%m%d")
        + ("d" if d.year is not None else "u")  # single known date / unknown
        + _year4(d.year)
        + "    "  # date 2
        + "km "  # target audience (adult, serious)
        + "y"  # not a government publication
        + "0"  # not a modified record
        + "chi"
        + "y"  # no transliteration
        + "50  "  # ISO 10646 (Unicode)
        + "    "
        + "ea"  # script of the title: Chinese
    )
    people = [
        _field(
            "701" if i == 0 else "702",
            " 0",
            ("c", f"（{p.dynasty}）" if p.dynasty else ""),
            ("a", p.name),
            ("4", p.role),
        )
        for i, p in enumerate(d.people)
    ]
    copy = ("5", d.institution_code)  # the copy notes belong to the institution's copy
    copy_notes = [
        _field("316", "  ", ("a", f"存缺卷：{d.extant}" if d.extant else ""), copy),
        _field("316", "  ", ("a", d.annotations), copy),
        _field("316", "  ", ("a", f"定级：{d.grade}" if d.grade else ""), copy),
        _field("317", "  ", ("a", "；".join(d.seals)), copy),
    ]
    return _record(
        CNMARC_LEADER,
        [
            Field(tag="001", data=d.identifier),
            Field(tag="005", data=_stamp(d)),
            _field("091", "  ", ("a", d.census_number)),
            _field("100", "  ", ("a", general)),
            _field("101", "0 ", ("a", "chi")),
            _field("102", "  ", ("a", "CN"), ("b", d.region_code)),
            _field("200", "1 ", ("a", d.title), ("e", d.juan), ("f", d.responsibility)),
            _field("205", "  ", ("a", d.edition_statement)),
            _field("210", "  ", ("c", d.publisher), ("d", d.date_text)),
            _field("215", "  ", ("a", full_extent(d)), ("c", d.binding)),
            _field("225", "2 ", ("a", d.series)),
            _field("300", "  ", ("a", f"版式：{d.layout}" if d.layout else "")),
            _field("300", "  ", ("a", d.notes)),
            *copy_notes,
            _field("608", "  ", ("a", d.edition_type), ("2", "local")),
            _field("686", "  ", ("a", d.sibu), ("2", "sibu")),
            *people,
            _field("801", " 0", ("a", "CN"), ("b", d.institution_code), ("c", _stamp(d)[:8])),
            _field(
                "905", "  ", ("a", d.institution), ("b", d.institution_code), ("d", d.call_number)
            ),
        ],
    )


BUILDERS = {MARC21: marc21, CNMARC: cnmarc}


def write_binary(descriptions: Iterable[Description], flavour: str) -> bytes:
    """ISO 2709 records, one after another (a ``.mrc`` file)."""
    build = BUILDERS[flavour]
    return b"".join(build(d).as_marc() for d in descriptions)


def write_xml(descriptions: Iterable[Description], flavour: str) -> bytes:
    """A MARCXML ``<collection>``."""
    build = BUILDERS[flavour]
    out = io.BytesIO()
    writer = XMLWriter(out)
    for d in descriptions:
        writer.write(build(d))
    writer.close(close_fh=False)
    return out.getvalue()


def xml_node(d: Description, flavour: str = MARC21):
    """One ``<record>`` element in the MARC 21 slim namespace (for OAI-PMH's metadata)."""
    return record_to_xml_node(BUILDERS[flavour](d), namespace=True)
