"""guji.files.documents: fonts, the glyph report, parts written and joined with bookmarks."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from guji.files import documents

CSS = """
@page { size: A6; margin: 10mm; @bottom-center { content: counter(page) } }
html { font-family: "Noto Serif CJK SC"; }
h1 { bookmark-level: 1; break-before: page; }
"""


def html(*sections: str) -> str:
    body = "".join(f'<h1 id="h{n}">{s}</h1><p>{s}的正文</p>' for n, s in enumerate(sections))
    return f'<!DOCTYPE html><html lang="zh-Hans"><body>{body}</body></html>'


def test_the_noto_cjk_fonts_are_installed_and_a_missing_family_is_named():
    documents.check_fonts()
    with pytest.raises(ImproperlyConfigured, match="No Such Font Family"):
        documents.check_fonts(("No Such Font Family",))


def test_the_glyph_check_reports_each_missing_character_once_with_where_it_was_first():
    glyphs = documents.GlyphCheck()
    glyphs.check("史記\U00020000字考", where="A-1")
    glyphs.check("\U00020000\U0002a700", where="A-2")
    glyphs.merge({"\U0002a700": "B-9", "\U0003134a": "B-1"})

    assert glyphs.report(where_key="census_number") == [
        {"char": "\U00020000", "codepoint": "U+20000", "census_number": "A-1"},
        {"char": "\U0002a700", "codepoint": "U+2A700", "census_number": "A-2"},
        {"char": "\U0003134a", "codepoint": "U+3134A", "census_number": "B-1"},
    ]
    assert "史" in documents.font_coverage()


def test_parts_are_written_without_named_destinations_and_joined_with_their_bookmarks(tmp_path):
    first = documents.render_html(html("甲图书馆", "乙博物馆"), stylesheets=[CSS])
    second = documents.render_html(html("丙书院"), stylesheets=[CSS])
    assert [sorted(p.anchors) for p in first.pages] == [["h0"], ["h1"]]

    assert documents.write_part(first, tmp_path / "a.pdf", pages=slice(0, 2)) == 2
    assert documents.write_part(second, tmp_path / "b.pdf") == 1
    documents.join_pdfs(
        [tmp_path / "a.pdf", tmp_path / "b.pdf"], tmp_path / "all.pdf", title="目录"
    )

    joined = PdfReader(tmp_path / "all.pdf")
    assert len(joined.pages) == 3
    assert [item.title for item in joined.outline] == ["甲图书馆", "乙博物馆", "丙书院"]
    assert joined.named_destinations == {}
    assert joined.metadata.title == "目录"


def test_css_strings_are_escaped():
    assert documents.css_string('甲"乙\\丙\n') == '"甲\\"乙\\\\丙 "'
