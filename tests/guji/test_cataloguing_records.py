"""What the catalogue readers store on the record, show on the form and page, and re-derive."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from guji.cataloguing import forget_role_names, parse_statements
from guji.models import AuthorRole, Holding, Responsibility
from guji.services import update_holding
from tests.factories import make_holding

pytestmark = pytest.mark.django_db


def _form_data(client, holding) -> dict:
    form = client.get(reverse("holding_edit", args=[holding.pk])).context["form"]
    return {
        name: "" if value is None else getattr(value, "pk", value)
        for name, value in ((f.name, form[f.name].value()) for f in form)
    }


# --- the record -------------------------------------------------------------------------------


def test_other_units_of_the_title_count_are_kept_with_the_count(world):
    holding = make_holding(world.institution_a, title_juan="紅樓夢一百二十回")
    assert (holding.title, holding.juan_count, holding.juan_unit) == ("紅樓夢", 120, "回")


def test_supplied_and_unread_statements_are_stored_as_such_and_warned(world):
    holding = make_holding(world.institution_a, authors="[（清）阮元撰] (清)")
    rows = list(holding.responsibilities.order_by("seq"))
    assert [(r.dynasty, r.name, r.role, r.supplied, r.written) for r in rows] == [
        ("清", "阮元", "撰", True, ""),
        ("", "", "", False, "(清)"),
    ]
    assert "(清)" in holding.cataloguing_warnings
    assert holding.authors_text == "［（清）阮元撰］ (清)"


def test_a_sure_record_has_no_cataloguing_warnings(world):
    holding = make_holding(world.institution_a, authors="(清) 王念孫 撰")
    assert holding.cataloguing_warnings == ""
    assert holding.authors_text == "（清）王念孫撰"


def test_warnings_show_on_the_holding_page(world, client):
    holding = make_holding(world.institution_a, authors="(清)", edition_statement="null")
    client.force_login(world.users["cataloguer_a"])
    page = client.get(holding.get_absolute_url()).content.decode()
    assert "未能可靠解析" in page
    assert "视为未著录" in page


# --- the form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "volumes", "unit", "cases", "note"),
    [
        ("10冊；2函", 10, "册", 2, ""),
        ("4冊；1夾", 4, "册", None, "1夾"),
        ("1冊；無函套", 1, "册", None, "無函套"),
        ("4冊；", 4, "册", None, ""),
        ("三摺", 3, "折", None, ""),
        ("2軸", 2, "轴", None, ""),
        ("十八", 18, "册", None, ""),
    ],
)
def test_the_form_accepts_extents_as_catalogues_write_them(
    world, client, typed, volumes, unit, cases, note
):
    holding = make_holding(world.institution_a)
    client.force_login(world.users["cataloguer_a"])
    data = _form_data(client, holding)
    data.update(volumes=typed, cases="", reason="按实物著录")

    response = client.post(reverse("holding_edit", args=[holding.pk]), data)

    assert response.status_code == 302
    holding.refresh_from_db()
    assert (holding.volumes, holding.volume_unit, holding.cases, holding.extent_note) == (
        volumes,
        unit,
        cases,
        note,
    )


def test_the_form_refuses_an_extent_without_a_number(world, client):
    holding = make_holding(world.institution_a)
    client.force_login(world.users["cataloguer_a"])
    data = _form_data(client, holding)
    data.update(volumes="若干", reason="按实物著录")

    response = client.post(reverse("holding_edit", args=[holding.pk]), data)

    assert response.status_code == 400
    assert "若干" in response.context["form"].errors["volumes"][0]
    holding.refresh_from_db()
    assert holding.volumes == 24


def test_the_form_shows_what_the_readers_were_unsure_of(world, client):
    holding = make_holding(world.institution_a, authors="(清)王念孫", edition_statement="不詳")
    client.force_login(world.users["cataloguer_a"])

    page = client.get(reverse("holding_edit", args=[holding.pk])).content.decode()

    assert "未注著作方式" in page
    assert "视为未著录" in page


def test_the_form_warns_on_what_was_typed_when_it_is_refused(world, client):
    holding = make_holding(world.institution_a)
    client.force_login(world.users["cataloguer_a"])
    data = _form_data(client, holding)
    data.update(authors="(清) 撰", volumes="若干", reason="改")

    response = client.post(reverse("holding_edit", args=[holding.pk]), data)

    texts = [w for _, w in response.context["form"].catalogue_warnings()]
    assert any("(清) 撰" in w for w in texts)


# --- the 著作方式 vocabulary ------------------------------------------------------------------


def test_the_role_vocabulary_holds_the_roles_catalogues_write():
    names = set(AuthorRole.objects.values_list("trad", flat=True))
    assert {"纂輯", "續編", "輯錄", "批點", "批校", "題識", "彙編", "繪圖", "口述"} <= names


def test_a_role_added_in_the_admin_is_read_at_once(world, client):
    assert parse_statements("(清)某某謄清")[0].role == ""  # the role table is now cached
    client.force_login(world.users["centre_admin"])

    response = client.post(
        reverse("admin:guji_authorrole_add"),
        {"code": "tengqing", "name": "誊清", "trad": "謄清", "position": 99, "active": "on"},
    )

    assert response.status_code == 302
    assert [(s.name, s.role) for s in parse_statements("(清)某某謄清")] == [("某某", "謄清")]
    forget_role_names()  # the row goes with the test's transaction


# --- rederive ---------------------------------------------------------------------------------


def _as_old_parser_stored(holding: Holding, rows: list[tuple[str, str, str]], **fields) -> None:
    """Put a holding back as an older parser left it (bypassing derive)."""
    holding.responsibilities.all().delete()
    for seq, (dynasty, name, role) in enumerate(rows, start=1):
        Responsibility.objects.create(
            holding=holding, seq=seq, dynasty=dynasty, name=name, role=role
        )
    Holding.objects.filter(pk=holding.pk).update(**fields)


@pytest.fixture
def stale(world):
    holding = make_holding(world.institution_a, call_number="旧-1")
    _as_old_parser_stored(
        holding,
        [("", "(清)", ""), ("", "王念孫", ""), ("", "撰", "")],
        authors_text="(清) 王念孫 撰",
        title_juan="紅樓夢一百二十回",
        title="紅樓夢一百二十回",
        juan_count=None,
        edition_statement="據明嘉靖刻本抄",
        edition_type="刻本",
    )
    return holding


def test_rederive_dry_run_reports_and_changes_nothing(stale, world):
    out = StringIO()
    call_command("rederive", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "旧-1" in text
    assert "edition_type: '刻本' → '抄本'" in text
    assert "(清)|王念孫|撰" in text
    stale.refresh_from_db()
    assert (stale.edition_type, stale.juan_count) == ("刻本", None)
    assert [r.name for r in stale.responsibilities.order_by("seq")] == ["(清)", "王念孫", "撰"]


def test_rederive_rewrites_the_structure_with_history(stale, world):
    admin = world.users["centre_admin"]
    call_command(
        "rederive", "--user", admin.username, "--reason", "解析规则更新", stdout=StringIO()
    )

    stale.refresh_from_db()
    assert (stale.title, stale.juan_count, stale.juan_unit) == ("紅樓夢", 120, "回")
    assert stale.edition_type == "抄本"
    assert stale.authors_text == "（清）王念孫撰"
    assert [(r.dynasty, r.name, r.role) for r in stale.responsibilities.all()] == [
        ("清", "王念孫", "撰")
    ]
    latest = stale.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (admin, "解析规则更新")
    row = Responsibility.history.filter(holding_id=stale.pk).latest()
    assert (row.history_user, row.history_change_reason) == (admin, "解析规则更新")


def test_rederive_a_second_time_changes_nothing(stale, world):
    admin = world.users["centre_admin"]
    call_command("rederive", "--user", admin.username, stdout=StringIO())
    versions = stale.history.count()
    out = StringIO()
    call_command("rederive", "--user", admin.username, stdout=out)
    assert stale.history.count() == versions
    assert " 0 changed" in out.getvalue()


def test_rederive_keeps_a_title_set_by_hand(world):
    holding = make_holding(world.institution_a, title_juan="史記一百三十卷", title="太史公書")
    call_command("rederive", "--user", world.users["centre_admin"].username, stdout=StringIO())
    holding.refresh_from_db()
    assert (holding.title, holding.juan_count) == ("太史公書", 130)


def test_rederive_without_a_user_is_refused():
    with pytest.raises(CommandError):
        call_command("rederive", stdout=StringIO())


def test_rederive_reaches_registered_records_too(stale, world):
    Holding.objects.filter(pk=stale.pk).update(status=Holding.Status.REGISTERED)
    call_command("rederive", "--user", world.users["centre_admin"].username, stdout=StringIO())
    stale.refresh_from_db()
    assert stale.edition_type == "抄本"


def test_an_update_after_rederive_still_works(stale, world):
    call_command("rederive", "--user", world.users["centre_admin"].username, stdout=StringIO())
    update_holding(stale, data={"notes": "复核"}, by=world.users["cataloguer_a"], reason="补附注")
    stale.refresh_from_db()
    assert stale.notes == "复核"
