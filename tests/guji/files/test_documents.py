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


# --- page numbers and parallel units -----------------------------------------------------------

NUMBERED = CSS + "@page { @bottom-center { content: counter(page) ' / ' counter(pages) } }"
UNNUMBERED = CSS + "@page { @bottom-center { content: none } }"


def test_stamped_numbers_read_and_sit_as_weasyprint_would_print_them(tmp_path):
    import re
    import subprocess

    body = html(*(f"第{n}章" for n in range(12)))
    documents.render_html(body, stylesheets=[NUMBERED]).write_pdf(tmp_path / "printed.pdf")
    documents.render_html(body, stylesheets=[UNNUMBERED]).write_pdf(tmp_path / "bare.pdf")

    pages = documents.join_pdfs(
        [tmp_path / "bare.pdf"],
        tmp_path / "stamped.pdf",
        title="t",
        page_numbers=documents.PageNumbers(stylesheets=(CSS,), skip=frozenset()),
    )

    def words(name):
        out = subprocess.run(
            ["pdftotext", "-bbox", str(tmp_path / name), "-"], capture_output=True, text=True
        ).stdout
        found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([\d/]+)</word>', out)
        return [(round(float(x), 1), round(float(y), 1), w) for x, y, w in found]

    assert pages == 12
    assert words("stamped.pdf") == words("printed.pdf")
    assert tuple(w for _, _, w in words("stamped.pdf")[-3:]) == ("12", "/", "12")


def render_sample_unit(unit, report) -> documents.RenderedUnit:
    """A unit renderer for the tests: one page per section, stored through the storage API."""
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    document = documents.render_html(html(*unit["sections"]), stylesheets=[UNNUMBERED])
    buffer = io.BytesIO()
    pages = documents.write_part(document, buffer)
    name = default_storage.save(f"tmp/test/{unit['n']}.pdf", ContentFile(buffer.getvalue()))
    report(len(unit["sections"]))
    return documents.RenderedUnit(files=[name], pages=pages, work=len(unit["sections"]))


UNITS = [{"n": 0, "sections": ["甲", "乙"]}, {"n": 1, "sections": ["丙"]}, {"n": 2, "sections": []}]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_units_laid_out_here_come_back_in_order_with_progress(media):
    seen = []

    results = documents.render_units(UNITS, render_sample_unit, progress=seen.append)

    assert [r.pages for r in results] == [2, 1, 1]
    assert seen == [2, 3, 3]


def test_helper_tasks_claim_units_and_the_results_come_back_in_order(media, monkeypatch):
    from huey.contrib.djhuey import HUEY

    helped = []
    real = documents.work_on_units
    monkeypatch.setattr(
        documents, "work_on_units", lambda base, **kw: helped.append(real(base, **kw))
    )
    HUEY.immediate = True  # a helper runs as soon as it is enqueued: it takes every unit
    try:
        results = documents.render_units(UNITS, render_sample_unit, helpers=2)
    finally:
        HUEY.immediate = False

    assert [r.pages for r in results] == [2, 1, 1]
    assert helped == [3, 0, 0]  # the first helper, the second, then this process: none left


def test_with_no_worker_free_this_process_lays_out_every_unit(media):
    """No consumer runs in the tests: the helper stays queued and finds nothing when it runs."""
    results = documents.render_units(UNITS, render_sample_unit, helpers=1)

    assert [r.pages for r in results] == [2, 1, 1]


def test_a_unit_that_fails_fails_the_document(media, monkeypatch):
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        with pytest.raises(RuntimeError, match="no such font"):
            documents.render_units([{"n": 0}, {"n": 1}], failing_unit, helpers=1)
    finally:
        HUEY.immediate = False


def failing_unit(unit, report):
    raise ValueError("no such font")
