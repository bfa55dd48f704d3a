"""The registration catalogue (普查登记目录): what it lists, in which order, as xlsx and PDF."""

import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from census import exports
from census.exports import Scope, export_catalogue, iter_entries
from census.models import ExportJob
from guji.models import RoleAssignment
from guji.permissions import revoke_role
from tests.census.catalogue_factories import make_registered
from tests.census.workflow_factories import make_campaign
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role

RARE = {  # characters a catalogue must print, not draw as boxes
    "title_juan": "［萬曆］金華府志三十卷",
    "authors": "（漢）司馬遷撰 （南朝宋）裴駰集解 （明）王懋德纂修",
    "edition_statement": "明萬曆刻本　清何焯批校　鈐“㐀齋”印",
    "extant": "存四卷（十六至十九）",
}


def _institution_scope(institution) -> Scope:
    return Scope(ExportJob.Scope.INSTITUTION, institution=institution)


CITY = Scope(ExportJob.Scope.CITY)


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def pdf_fonts(path: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return [line.split()[0] for line in out.stdout.splitlines()[2:]]


def bookmarks(path: Path) -> list:
    def titles(outline: list) -> list:
        return [titles(o) if isinstance(o, list) else o.title for o in outline]

    return titles(PdfReader(path).outline)


def squeeze(text: str) -> str:
    """Text without any white space (pdftotext breaks lines where the layout did)."""
    return re.sub(r"\s+", "", text)


# --- what is listed ---------------------------------------------------------------------------


def test_entries_are_sorted_by_census_number():
    institution = make_institution()
    for serial in (3, 1, 2):
        make_registered(institution, serial)

    numbers = [e.census_number for e in iter_entries(_institution_scope(institution))]

    assert [n[-2:] for n in numbers] == ["01", "02", "03"]


def test_only_registered_holdings_are_listed():
    institution = make_institution()
    make_holding(institution, call_number="草稿1")
    registered = make_registered(institution, 1)

    entries = list(iter_entries(_institution_scope(institution)))

    assert [e.call_number for e in entries] == [registered.call_number]


def test_an_institution_catalogue_lists_that_institution_only():
    a, b = make_institution(), make_institution()
    make_registered(a, 1, call_number="甲1")
    make_registered(b, 1, call_number="乙1")

    assert [e.call_number for e in iter_entries(_institution_scope(a))] == ["甲1"]
    assert {e.call_number for e in iter_entries(CITY)} == {"甲1", "乙1"}


def test_a_campaign_catalogue_lists_the_campaigns_entries():
    a, b = make_institution(), make_institution()
    campaign, other = make_campaign(a, b), make_campaign(a)
    make_registered(a, 1, campaign=campaign, call_number="甲1")
    make_registered(b, 1, campaign=campaign, call_number="乙1")
    make_registered(a, 2, campaign=other, call_number="甲2")

    scope = Scope(ExportJob.Scope.CAMPAIGN, campaign=campaign)

    assert [e.call_number for e in iter_entries(scope)] == ["甲1", "乙1"]


def test_an_entry_prints_the_published_fields_with_chinese_numerals():
    holding = make_registered(make_institution(), 7, volumes=18, **RARE)

    (entry,) = iter_entries(_institution_scope(holding.institution))

    assert entry.fields() == [
        holding.census_number,
        holding.call_number,
        "［萬曆］金華府志三十卷",
        holding.authors_text,  # as catalogued: statements apart by a space
        "明萬曆刻本　清何焯批校　鈐“㐀齋”印",
        "十八册",
        "存四卷（十六至十九）",
    ]


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_has_a_title_a_frozen_header_and_the_entries(tmp_path):
    institution = make_institution(name="甲图书馆")
    make_registered(institution, 2, volumes=24, call_number="善2")
    make_registered(institution, 1, volumes=18, call_number="善1", **RARE)
    out = tmp_path / "catalogue.xlsx"

    result = export_catalogue(_institution_scope(institution), "xlsx", out)

    frame = pd.read_excel(out, engine="calamine", header=1, dtype={"索书号": str})
    assert list(frame.columns) == exports.COLUMNS
    assert list(frame["索书号"]) == ["善1", "善2"]
    assert list(frame["册数"]) == [18, 24]
    assert frame.loc[0, "题名卷数"] == RARE["title_juan"]
    assert frame.loc[0, "存卷"] == RARE["extant"]
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "甲图书馆古籍普查登记目录"
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["C"].width == exports.COLUMN_WIDTHS["题名卷数"]
    assert result.entries == 2


def test_citywide_xlsx_names_the_institution_of_each_entry(tmp_path):
    make_registered(make_institution(name="甲图书馆", code="0101"), 1)
    make_registered(make_institution(name="乙博物馆", code="0102"), 1)
    out = tmp_path / "city.xlsx"

    export_catalogue(CITY, "xlsx", out)

    frame = pd.read_excel(out, engine="calamine", header=1)
    assert list(frame["收藏单位"]) == ["甲图书馆", "乙博物馆"]


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text(tmp_path):
    institution = make_institution()
    make_registered(institution, 1, call_number="=HYPERLINK(1)")
    out = tmp_path / "catalogue.xlsx"

    export_catalogue(_institution_scope(institution), "xlsx", out)

    cell = load_workbook(out).active["B3"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_control_characters_from_an_import_are_left_out(tmp_path):
    institution = make_institution()
    make_registered(institution, 1, call_number="善\x071")
    out = tmp_path / "catalogue.xlsx"

    export_catalogue(_institution_scope(institution), "xlsx", out)

    assert load_workbook(out).active["B3"].value == "善1"


def test_an_empty_catalogue_still_has_its_title_and_header(tmp_path):
    out = tmp_path / "empty.xlsx"

    result = export_catalogue(_institution_scope(make_institution()), "xlsx", out)

    assert result.entries == 0
    assert list(pd.read_excel(out, engine="calamine", header=1).columns) == exports.COLUMNS


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_text_reads_back_as_the_data_with_rare_characters(tmp_path):
    institution = make_institution(name="甲图书馆")
    holdings = [make_registered(institution, 1, volumes=18, **RARE)]
    holdings += [make_registered(institution, n, title_juan=f"史記一百三十卷{n}") for n in (2, 3)]
    out = tmp_path / "catalogue.pdf"

    result = export_catalogue(_institution_scope(institution), "pdf", out)

    pages = pdf_pages(out)
    assert result.pages == len(pages) >= 2  # a title page, then the entries
    text = squeeze("".join(pages[1:]))
    for holding in holdings:
        entry = "".join(
            [holding.census_number, holding.call_number, holding.title_juan, holding.authors_text]
        )
        assert squeeze(entry) in text
    assert squeeze("鈐“㐀齋”印十八册存四卷（十六至十九）") in text
    # pdftotext turns U+3000 into a space; the PDF itself keeps the full-width spaces
    first = PdfReader(out).pages[1].extract_text()
    assert f"{holdings[0].census_number}\u3000{holdings[0].call_number}\u3000［萬曆］" in first
    assert "�" not in "".join(pages)
    assert result.missing_glyphs == []


def test_pdf_embeds_only_noto_cjk_fonts(tmp_path):
    institution = make_institution()
    make_registered(institution, 1, **RARE)
    out = tmp_path / "catalogue.pdf"

    export_catalogue(_institution_scope(institution), "pdf", out)

    fonts = pdf_fonts(out)
    assert fonts
    assert all(re.fullmatch(r"[A-Z]{6}\+Noto-(Serif|Sans)-CJK-SC(-Bold)?", f) for f in fonts), fonts


def test_every_pdf_page_after_the_title_has_running_headers_and_its_number(tmp_path):
    institution = make_institution(name="甲图书馆")
    for serial in range(1, 121):
        make_registered(institution, serial)
    out = tmp_path / "catalogue.pdf"

    result = export_catalogue(_institution_scope(institution), "pdf", out)

    pages = pdf_pages(out)
    assert len(pages) == result.pages > 3
    assert "甲图书馆古籍普查登记目录" in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert "甲图书馆古籍普查登记目录" in page
        assert re.search(rf"(?m)^{number} / {len(pages)}$", page), page[-80:]


def test_a_character_the_fonts_lack_is_reported(tmp_path):
    institution = make_institution()
    holding = make_registered(institution, 1, title_juan="\U00020000字考一卷")

    result = export_catalogue(_institution_scope(institution), "pdf", tmp_path / "c.pdf")

    assert result.missing_glyphs == [
        {"char": "\U00020000", "codepoint": "U+20000", "census_number": holding.census_number}
    ]


def test_a_catalogue_laid_out_in_parts_reads_as_one(tmp_path, monkeypatch):
    """Parts join without half-empty pages, headings and page numbers run across them."""
    a = make_institution(name="甲图书馆", code="0101")
    b = make_institution(name="乙博物馆", code="0102")
    for serial in range(1, 61):
        make_registered(a, serial, title_juan=f"甲書{serial}卷")
    for serial in range(1, 41):
        make_registered(b, serial, title_juan=f"乙書{serial}卷")
    whole, parts = tmp_path / "whole.pdf", tmp_path / "parts.pdf"
    export_catalogue(CITY, "pdf", whole)
    monkeypatch.setattr(exports, "PART_SIZE", 23)
    progress = []

    result = export_catalogue(CITY, "pdf", parts, progress=lambda d, t: progress.append((d, t)))

    in_parts, in_one = pdf_pages(parts), pdf_pages(whole)
    assert len(in_parts) == len(in_one) == result.pages
    assert [squeeze(p) for p in in_parts] == [squeeze(p) for p in in_one]
    for number, page in enumerate(in_parts[1:], start=2):
        assert re.search(rf"(?m)^{number} / {len(in_parts)}$", page)
        assert ("甲图书馆" in page) != ("乙博物馆" in page)  # the institution heading it runs under
    assert progress[-1] == (200, 200)
    assert PdfReader(parts).named_destinations == {}  # pypdf joins those in quadratic time
    assert (
        bookmarks(parts) == bookmarks(whole) == ["桐溪市古籍普查登记目录", "甲图书馆", "乙博物馆"]
    )
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_units_laid_out_by_helper_workers_read_as_one_layout(tmp_path, monkeypatch):
    """Each institution is a unit another worker may lay out; the joined PDF is the same."""
    from huey.contrib.djhuey import HUEY

    a = make_institution(name="甲图书馆", code="0101")
    b = make_institution(name="乙博物馆", code="0102")
    for serial in range(1, 41):
        make_registered(a, serial, title_juan=f"甲書{serial}卷")
    for serial in range(1, 31):
        make_registered(b, serial, title_juan=f"乙書{serial}卷")
    alone, helped = tmp_path / "alone.pdf", tmp_path / "helped.pdf"
    monkeypatch.setattr(exports, "PART_SIZE", 17)
    export_catalogue(CITY, "pdf", alone)
    HUEY.immediate = True  # the helper runs as soon as it is enqueued
    try:
        result = export_catalogue(CITY, "pdf", helped, helpers=1)
    finally:
        HUEY.immediate = False

    assert [squeeze(p) for p in pdf_pages(helped)] == [squeeze(p) for p in pdf_pages(alone)]
    assert result.pages == len(pdf_pages(helped))
    assert bookmarks(helped) == [
        f"{settings.GUJI_CITY_NAME}古籍普查登记目录",
        "甲图书馆",
        "乙博物馆",
    ]


def test_a_holding_registered_during_an_export_waits_for_the_next_one(tmp_path, monkeypatch):
    """Every part of a big catalogue reads the same entries, whatever happens meanwhile."""
    institution = make_institution()
    for serial in range(1, 61):
        make_registered(institution, serial)
    monkeypatch.setattr(exports, "PART_SIZE", 23)
    render_unit = exports.render_unit

    def register_then_render(unit, report):
        make_registered(institution, 0, title_juan="後來者一卷")  # sorts first
        return render_unit(unit, report)

    monkeypatch.setattr(exports, "render_unit", register_then_render)
    out = tmp_path / "c.pdf"

    result = export_catalogue(_institution_scope(institution), "pdf", out)

    assert result.entries == 60
    assert "後來者" not in "".join(pdf_pages(out))


# --- command ----------------------------------------------------------------------------------


def test_the_command_writes_an_institutions_catalogue(tmp_path, capsys):
    institution = make_institution(code="0301")
    make_registered(institution, 1)
    out = tmp_path / "c.xlsx"

    call_command("census_catalogue", "--institution", "0301", "--format", "xlsx", "-o", str(out))

    assert len(pd.read_excel(out, engine="calamine", header=1)) == 1
    assert "1" in capsys.readouterr().out


def test_the_command_writes_the_citywide_catalogue_without_an_institution(tmp_path):
    make_registered(make_institution(), 1)
    make_registered(make_institution(), 1)
    out = tmp_path / "city.pdf"

    call_command("census_catalogue", "--format", "pdf", "-o", str(out))

    assert len(pdf_pages(out)) >= 3  # a title page and a page per institution


def test_the_command_writes_a_campaigns_catalogue(tmp_path):
    a, b = make_institution(), make_institution()
    campaign = make_campaign(a, b)
    make_registered(a, 1, campaign=campaign, call_number="甲1")
    make_registered(b, 1, call_number="乙1")
    out = tmp_path / "c.xlsx"

    call_command("census_catalogue", "--campaign", str(campaign.pk), "--format", "xlsx", "-o", out)

    assert list(pd.read_excel(out, engine="calamine", header=1)["索书号"]) == ["甲1"]


def test_the_command_refuses_an_unknown_institution(tmp_path):
    with pytest.raises(CommandError, match="9999"):
        call_command(
            "census_catalogue", "--institution", "9999", "--format", "pdf", "-o", str(tmp_path)
        )


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def huey_immediate():
    """Run enqueued tasks at once, as the consumer would."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


def _post_export(client, **data):
    return client.post(reverse("census:catalogue"), {"scope": "institution", **data})


def test_a_cataloguer_downloads_the_catalogue_of_their_institution(client, media):
    institution = make_institution()
    make_registered(institution, 1, call_number="善1")
    client.force_login(make_user(Role.CATALOGUER, institution))

    response = _post_export(client, institution=institution.pk, format="xlsx")

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("census:catalogue_download", args=[job.pk])
    download = client.get(response["Location"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    content = io.BytesIO(b"".join(download.streaming_content))
    frame = pd.read_excel(content, engine="calamine", header=1)
    assert list(frame["索书号"]) == ["善1"]


def test_the_export_page_offers_only_what_the_user_may_export(client):
    mine, _ = make_institution(name="甲图书馆"), make_institution(name="乙图书馆")
    client.force_login(make_user(Role.CATALOGUER, mine))

    page = client.get(reverse("census:catalogue")).content.decode()

    assert "甲图书馆" in page and "乙图书馆" not in page
    assert 'value="city"' not in page


def test_a_centre_reviewer_may_choose_any_institution_campaign_or_the_city(client):
    institution = make_institution(name="甲图书馆")
    make_campaign(institution, name="第一次普查")
    client.force_login(make_user(Role.REVIEWER))

    page = client.get(reverse("census:catalogue")).content.decode()

    assert "甲图书馆" in page and "第一次普查" in page and 'value="city"' in page


@pytest.mark.parametrize(
    "data",
    [{"institution": "<other>"}, {"scope": "city"}, {"scope": "campaign", "campaign": "<both>"}],
    ids=["another-institution", "citywide", "campaign"],
)
def test_an_institutions_cataloguer_may_not_export_beyond_it(client, data):
    mine, other = make_institution(), make_institution()
    campaign = make_campaign(mine, other)
    client.force_login(make_user(Role.CATALOGUER, mine))
    values = {"<other>": other.pk, "<both>": campaign.pk}
    data = {k: values.get(v, v) for k, v in data.items()}

    response = _post_export(client, format="pdf", **data)

    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_strangers_are_sent_to_log_in(client):
    response = client.get(reverse("census:catalogue"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_large_export_runs_in_the_background_and_waits_on_its_page(
    client, media, monkeypatch, huey_immediate, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 1)
    for serial in (1, 2):
        make_registered(make_institution(), serial)
    client.force_login(make_user(Role.CENTRE_ADMIN))

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_export(client, scope="city", format="pdf")

    job = ExportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.total_entries, job.progress) == (ExportJob.Status.DONE, 2, 100)
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("census:catalogue_download", args=[job.pk]) in page
    download = client.get(reverse("census:catalogue_download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_queued_export_shows_its_progress_and_refreshes(client):
    user = make_user(Role.REVIEWER)
    job = ExportJob.objects.create(
        user=user, scope="city", format="pdf", status="running", done_units=30, total_units=120
    )
    client.force_login(user)

    page = client.get(job.get_absolute_url()).content.decode()

    assert 'http-equiv="refresh"' in page
    assert 'value="25"' in page
    assert client.get(reverse("census:catalogue_download", args=[job.pk])).status_code == 302


def test_the_download_asks_again_whether_the_user_may_export(client, media):
    institution = make_institution()
    make_registered(institution, 1)
    user = make_user(Role.CATALOGUER, institution)
    client.force_login(user)
    job_url = _post_export(client, institution=institution.pk, format="xlsx")["Location"]
    revoke_role(user.role_assignments.get(), by=None, reason="调离")

    assert client.get(job_url).status_code == 403


def test_another_users_export_is_not_found(client, media):
    institution = make_institution()
    make_registered(institution, 1)
    owner, colleague = (make_user(Role.CATALOGUER, institution) for _ in range(2))
    client.force_login(owner)
    job_url = _post_export(client, institution=institution.pk, format="xlsx")["Location"]

    client.force_login(colleague)

    assert client.get(job_url).status_code == 404


def test_every_character_of_the_demo_data_prints_in_noto(tmp_path):
    """The demo city's catalogue text, every distinct character of it, reads back from the PDF."""
    from guji.demo import holding_specs

    fields = ("title_juan", "edition_statement", "extant", "call_number")
    chars = set()
    for spec in holding_specs():
        chars |= set("".join(str(spec.data.get(f, "")) for f in fields) + spec.authors)
    text = "".join(sorted(chars - set(" \u3000\n")))
    institution = make_institution()
    for serial, start in enumerate(range(0, len(text), 60), start=1):
        make_registered(institution, serial, title_juan=text[start : start + 60] + "一卷")
    out = tmp_path / "demo.pdf"

    result = export_catalogue(_institution_scope(institution), "pdf", out)

    assert result.missing_glyphs == []
    printed = "".join(pdf_pages(out))
    assert set(text) - set(printed) == set()
    assert all("Noto" in f for f in pdf_fonts(out))
