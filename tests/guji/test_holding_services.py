"""create_holding / update_holding, and the list, search and timeline pages that read them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from guji.cataloguing import parse_statements
from guji.history import required_reason, save_audited
from guji.models import Binding, Grade, Holding, Responsibility, SibuClass
from guji.services import check_writable, create_holding, derive, is_writable, update_holding
from tests.factories import make_holding

pytestmark = pytest.mark.django_db


def _snapshot(holding: Holding) -> tuple:
    """Everything a refused write must leave as it was."""
    holding = Holding.objects.get(pk=holding.pk)
    return (
        model_to_dict(holding),
        holding.history.count(),
        list(holding.responsibilities.values_list("seq", "dynasty", "name", "role")),
        Responsibility.history.filter(holding_id=holding.pk).count(),
    )


def _listed(client, **params) -> set[str]:
    response = client.get(reverse("holding_list"), params)
    assert response.status_code == 200
    return {h.call_number for h in response.context["page"].object_list}


# --- writing, with history --------------------------------------------------------------------


def test_creating_records_who_and_why_on_the_holding_and_its_statements(world):
    cataloguer = world.users["cataloguer_a"]

    holding = create_holding(
        institution=world.institution_a,
        data={"call_number": "善001", "title_juan": "史記一百三十卷", "volumes": 24},
        statements=parse_statements("（漢）司馬遷撰 （南朝宋）裴駰集解"),
        by=cataloguer,
        reason="卡片著录",
    )

    version = holding.history.get()
    assert (version.history_type, version.history_user, version.history_change_reason) == (
        "+",
        cataloguer,
        "卡片著录",
    )
    statements = Responsibility.history.filter(holding_id=holding.pk)
    assert {(v.name, v.history_user, v.history_change_reason) for v in statements} == {
        ("司馬遷", cataloguer, "卡片著录"),
        ("裴駰", cataloguer, "卡片著录"),
    }
    assert holding.authors_text == "（漢）司馬遷撰 （南朝宋）裴駰集解"


def test_updating_records_who_why_and_what_changed(world):
    holding = make_holding(world.institution_a, volumes=24)
    cataloguer = world.users["cataloguer_a"]

    update_holding(holding, data={"volumes": 20}, by=cataloguer, reason="清点实存二十册")

    new, old = holding.history.all()[:2]
    assert (new.history_user, new.history_change_reason) == (cataloguer, "清点实存二十册")
    assert [(c.field, c.old, c.new) for c in new.diff_against(old).changes] == [("volumes", 24, 20)]


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_update_without_a_reason_is_refused_and_changes_nothing(world, reason):
    holding = make_holding(world.institution_a)
    before = _snapshot(holding)

    with pytest.raises(ValidationError) as exc:
        update_holding(
            holding,
            data={"volumes": 3, "title_juan": "漢書一百卷"},
            statements=parse_statements("（漢）班固撰"),
            by=world.users["cataloguer_a"],
            reason=reason,
        )

    assert exc.value.code == "reason_required"
    assert _snapshot(holding) == before


def test_a_call_number_is_unique_within_an_institution(world):
    make_holding(world.institution_a, call_number="善100")

    with pytest.raises(ValidationError) as exc:
        make_holding(world.institution_a, call_number="善100")

    assert "call_number" in exc.value.message_dict
    assert Holding.objects.filter(call_number="善100").count() == 1


def test_the_same_call_number_is_allowed_at_another_institution(world):
    make_holding(world.institution_a, call_number="善100")

    make_holding(world.institution_b, call_number="善100")

    assert Holding.objects.filter(call_number="善100").count() == 2


def test_changing_to_a_taken_call_number_is_refused_and_changes_nothing(world):
    make_holding(world.institution_a, call_number="善100")
    holding = make_holding(world.institution_a, call_number="善101")
    before = _snapshot(holding)

    with pytest.raises(ValidationError):
        update_holding(
            holding, data={"call_number": "善100"}, by=world.users["cataloguer_a"], reason="改号"
        )

    assert _snapshot(holding) == before


def test_changing_the_edition_statement_rereads_the_edition_fields(world):
    holding = make_holding(world.institution_a, edition_statement="清乾隆四年（1739）武英殿刻本")
    assert (holding.edition_dynasty, holding.edition_era, holding.edition_year) == (
        "清",
        "乾隆",
        1739,
    )

    holding = update_holding(
        holding,
        data={"edition_statement": "明嘉靖三十年(1551)芝城銅活字印本"},
        by=world.users["cataloguer_a"],
        reason="核对牌记",
    )

    holding.refresh_from_db()
    assert (
        holding.edition_dynasty,
        holding.edition_era,
        holding.edition_era_year,
        holding.edition_year,
        holding.edition_type,
    ) == ("明", "嘉靖", 30, 1551, "铜活字印本")


@pytest.mark.parametrize(
    ("title_juan", "title", "juan"),
    [
        ("資治通鑑二百九十四卷目錄三十卷", "資治通鑑", 294),
        ("欽定古今圖書集成一萬卷目錄四十卷", "欽定古今圖書集成", 10000),
        ("太平御覽一千卷", "太平御覽", 1000),
        ("册府元龟一千卷", "册府元龟", 1000),
        ("永樂大典二萬二千八百七十七卷", "永樂大典", 22877),
    ],
    ids=["hundreds", "ten-thousand", "thousand", "simplified", "myriads-and-more"],
)
def test_title_and_juan_are_read_from_the_title_and_juan(world, title_juan, title, juan):
    holding = make_holding(world.institution_a, title_juan=title_juan)

    assert (holding.title, holding.juan_count) == (title, juan)


def test_changing_the_title_and_juan_rereads_title_and_juan(world):
    holding = make_holding(world.institution_a, title_juan="資治通鑑二百九十四卷目錄三十卷")

    holding = update_holding(
        holding, data={"title_juan": "漢書一百卷"}, by=world.users["cataloguer_a"], reason="改题"
    )
    holding.refresh_from_db()
    assert (holding.title, holding.juan_count) == ("漢書", 100)


def test_a_title_given_by_the_cataloguer_is_kept(world):
    holding = make_holding(world.institution_a, title_juan="史記一百三十卷", title="太史公書")

    assert (holding.title, holding.juan_count) == ("太史公書", 130)


def test_editing_the_title_and_juan_in_the_form_rereads_title_and_juan(world, client):
    """The edit form sends back the old title: it must not stop the new one being read."""
    holding = make_holding(world.institution_a, title_juan="史記一百三十卷")
    client.force_login(world.users["cataloguer_a"])
    form = client.get(reverse("holding_edit", args=[holding.pk])).context["form"]
    data = {
        name: "" if value is None else getattr(value, "pk", value)
        for name, value in ((f.name, form[f.name].value()) for f in form)
    }

    data.update(title_juan="漢書一百卷", reason="改题")
    response = client.post(reverse("holding_edit", args=[holding.pk]), data)

    assert response.status_code == 302
    holding.refresh_from_db()
    assert (holding.title_juan, holding.title, holding.juan_count) == ("漢書一百卷", "漢書", 100)


def test_changing_one_statement_writes_one_responsibility_version(world):
    holding = make_holding(
        world.institution_a, authors="（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）司馬貞索隱"
    )
    before = Responsibility.history.filter(holding_id=holding.pk).count()

    update_holding(
        holding,
        data={},
        statements=parse_statements("（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）張守節正義"),
        by=world.users["cataloguer_a"],
        reason="第三条著者误录",
    )

    versions = Responsibility.history.filter(holding_id=holding.pk)
    assert versions.count() == before + 1
    changed = versions.latest()
    assert (changed.history_type, changed.name, changed.role, changed.history_change_reason) == (
        "~",
        "張守節",
        "正義",
        "第三条著者误录",
    )
    assert Holding.objects.get(pk=holding.pk).authors_text == (
        "（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）張守節正義"
    )


def test_dropping_a_statement_deletes_it_with_history(world):
    holding = make_holding(world.institution_a, authors="（漢）司馬遷撰 （南朝宋）裴駰集解")

    update_holding(
        holding,
        data={},
        statements=parse_statements("（漢）司馬遷撰"),
        by=world.users["cataloguer_a"],
        reason="集解非此本所有",
    )

    assert list(holding.responsibilities.values_list("name", flat=True)) == ["司馬遷"]
    deleted = Responsibility.history.filter(holding_id=holding.pk, history_type="-").get()
    assert (deleted.name, deleted.history_change_reason) == ("裴駰", "集解非此本所有")


def test_a_cataloguer_of_another_institution_cannot_update_a_holding(world):
    holding = make_holding(world.institution_a)
    before = _snapshot(holding)

    with pytest.raises(PermissionDenied):
        update_holding(
            holding,
            data={"volumes": 1},
            statements=parse_statements("（漢）班固撰"),
            by=world.users["cataloguer_b"],
            reason="越馆修改",
        )

    assert _snapshot(holding) == before


@pytest.mark.parametrize("role", ["cataloguer_b", "reviewer", "conservator", "provincial"])
def test_only_those_who_catalogue_at_an_institution_create_holdings_there(world, role):
    with pytest.raises(PermissionDenied):
        create_holding(
            institution=world.institution_a,
            data={"call_number": "越001", "title_juan": "漢書一百卷", "volumes": 1},
            by=world.users[role],
            reason="越权",
        )

    assert not Holding.objects.filter(call_number="越001").exists()


def test_a_cataloguer_cannot_set_the_grade(world):
    holding = make_holding(world.institution_a)
    before = _snapshot(holding)

    with pytest.raises(PermissionDenied):
        update_holding(
            holding, data={"grade": Grade.L1A}, by=world.users["cataloguer_a"], reason="定级"
        )

    assert _snapshot(holding) == before


def test_the_centre_grades_through_the_same_update(world):
    holding = make_holding(world.institution_a)
    update_holding(
        holding, data={"grade": Grade.L1A}, by=world.users["centre_admin"], reason="定级"
    )
    holding.refresh_from_db()
    assert holding.grade == Grade.L1A


@pytest.mark.parametrize(
    ("status", "code", "in_correction"),
    [
        (Holding.Status.REGISTERED, "locked", True),
        (Holding.Status.SUBMITTED, "under_review", False),
    ],
)
def test_one_lock_says_which_records_may_change(world, status, code, in_correction):
    holding = make_holding(world.institution_a)
    assert is_writable(holding)
    Holding.objects.filter(pk=holding.pk).update(status=status)
    holding.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        check_writable(holding)
    assert refused.value.code == code
    assert not is_writable(holding)
    assert is_writable(holding, correction=True) is in_correction
    with pytest.raises(ValidationError):
        update_holding(holding, data={"notes": "x"}, by=world.users["centre_admin"], reason="改")


def test_one_required_reason_check_strips_and_refuses_blank():
    assert required_reason("  因为  ") == "因为"
    for blank in ("", "   ", None):
        with pytest.raises(ValidationError) as refused:
            required_reason(blank, "Say why.", "comment_required")
        assert refused.value.code == "comment_required"
        assert refused.value.messages == ["Say why."]


# --- search and filters on the list page ------------------------------------------------------


@pytest.fixture
def catalogue(world, client):
    """Three holdings at A and B (and no others), listed by the centre administrator."""
    Holding.objects.filter(pk__in=[world.holding_a.pk, world.holding_b.pk]).delete()
    jing = SibuClass.objects.get(code="J02")  # 经部·易类
    shi = SibuClass.objects.filter(bu="史部", level=2).first()
    shi_other = SibuClass.objects.filter(bu="史部", level=2).exclude(pk=shi.pk).first()
    make_holding(
        world.institution_a,
        call_number="甲-史记",
        title_juan="史記一百三十卷",
        authors="（漢）司馬遷撰",
        edition_statement="清乾隆四年（1739）武英殿刻本",
        sibu_class=shi,
        grade=Grade.L2B,
    )
    make_holding(
        world.institution_a,
        call_number="甲-汉书",
        title_juan="汉书一百卷",
        authors="（汉）班固撰",
        edition_statement="明嘉靖刻本",
        sibu_class=shi_other,
        grade=Grade.L3A,
    )
    make_holding(
        world.institution_b,
        call_number="乙-周易",
        title_juan="周易注疏十三卷",
        authors="（魏）王弼注",
        edition_statement="清抄本",
        sibu_class=jing,
        grade=Grade.L3A,
    )
    client.force_login(world.users["centre_admin"])
    return client


def test_search_finds_a_traditional_title_by_its_simplified_form(catalogue):
    assert _listed(catalogue, q="史记") == {"甲-史记"}


def test_search_finds_a_simplified_title_by_its_traditional_form(catalogue):
    assert _listed(catalogue, q="漢書") == {"甲-汉书"}


def test_search_finds_an_author_in_either_form(catalogue):
    assert _listed(catalogue, q="司马迁") == {"甲-史记"}
    assert _listed(catalogue, q="班固") == {"甲-汉书"}
    assert _listed(catalogue, q="王弼 周易") == {"乙-周易"}


def test_search_finds_a_call_number(catalogue):
    assert _listed(catalogue, q="乙-周易") == {"乙-周易"}


def test_search_finds_a_census_number(world, catalogue):
    holding = Holding.objects.get(call_number="甲-汉书")
    holding.census_number = "330000-0001-0000042"
    derive(holding)
    save_audited(holding, by=None, reason="分配普查编号")

    assert _listed(catalogue, q="0000042") == {"甲-汉书"}


def test_search_within_a_cataloguers_scope_never_shows_other_institutions(world, client):
    make_holding(world.institution_b, call_number="乙-史记", title_juan="史記一百三十卷")
    client.force_login(world.users["cataloguer_a"])

    assert "乙-史记" not in _listed(client, q="史记")


def test_the_institution_filter_narrows_the_list(world, catalogue):
    assert _listed(catalogue, institution=world.institution_b.pk) == {"乙-周易"}


def test_the_dynasty_filter_narrows_the_list(catalogue):
    assert _listed(catalogue, dynasty="明") == {"甲-汉书"}
    assert _listed(catalogue, dynasty="清") == {"甲-史记", "乙-周易"}


def test_the_edition_type_filter_narrows_the_list(catalogue):
    assert _listed(catalogue, edition_type="抄本") == {"乙-周易"}
    assert _listed(catalogue, edition_type="刻本") == {"甲-史记", "甲-汉书"}


def test_a_whole_branch_of_the_four_branches_includes_all_its_classes(catalogue):
    shi_bu = SibuClass.objects.get(bu="史部", level=1)
    one_class = Holding.objects.get(call_number="甲-史记").sibu_class

    assert _listed(catalogue, sibu=shi_bu.pk) == {"甲-史记", "甲-汉书"}
    assert _listed(catalogue, sibu=one_class.pk) == {"甲-史记"}


def test_the_grade_filter_narrows_the_list(catalogue):
    assert _listed(catalogue, grade=Grade.L3A) == {"甲-汉书", "乙-周易"}
    assert _listed(catalogue, grade=Grade.L2B) == {"甲-史记"}


def test_filters_combine(world, catalogue):
    assert _listed(catalogue, grade=Grade.L3A, institution=world.institution_a.pk) == {"甲-汉书"}
    assert _listed(catalogue, q="史记", dynasty="明") == set()


# --- the timeline -----------------------------------------------------------------------------


def test_the_timeline_shows_who_why_and_the_field_change(world, client):
    holding = make_holding(world.institution_a, volumes=24, authors="（漢）司馬遷撰")
    binding = Binding.objects.first()
    cataloguer = world.users["cataloguer_a"]
    update_holding(
        holding,
        data={"volumes": 20, "binding": binding},
        statements=parse_statements("（漢）司馬遷撰 （南朝宋）裴駰集解"),
        by=cataloguer,
        reason="清点实存二十册",
    )
    client.force_login(world.users["provincial"])

    response = client.get(reverse("holding_timeline", args=[holding.pk]))

    assert response.status_code == 200
    edits = [c for c in response.context["changes"] if c.reason == "清点实存二十册"]
    assert {(c.kind, c.user) for c in edits} == {("~", cataloguer), ("+", cataloguer)}
    edit = next(c for c in edits if c.kind == "~")
    shown = {(f.label, str(f.old), str(f.new)) for f in edit.fields}
    assert ("册数", "24", "20") in shown
    assert ("装帧", "None", binding.name) in shown
    html = response.content.decode()
    for text in (str(cataloguer), "清点实存二十册", "册数", "24", "20", binding.name, "裴駰"):
        assert text in html


def test_the_timeline_shows_changes_to_fields_nobody_types_in(world, client):
    """Status and the responsibility text are not form fields, yet their changes are history."""
    holding = make_holding(world.institution_a, authors="（漢）司馬遷撰")
    holding = update_holding(
        holding,
        data={},
        statements=parse_statements("（漢）司馬遷撰 （南朝宋）裴駰集解"),
        by=None,
        reason="补著者",
    )
    holding.status = Holding.Status.SUBMITTED
    save_audited(holding, by=world.users["cataloguer_a"], reason="提交审核", fields=["status"])
    client.force_login(world.users["reviewer"])

    changes = client.get(reverse("holding_timeline", args=[holding.pk])).context["changes"]

    shown = {(c.reason, f.field, str(f.old), str(f.new)) for c in changes for f in c.fields}
    draft, submitted = Holding.Status.DRAFT.label, Holding.Status.SUBMITTED.label
    assert ("提交审核", "status", str(draft), str(submitted)) in shown
    assert (
        "补著者",
        "authors_text",
        "（漢）司馬遷撰",
        "（漢）司馬遷撰 （南朝宋）裴駰集解",
    ) in shown


def test_the_timeline_names_the_statement_each_entry_is_about(world, client):
    holding = make_holding(world.institution_a, authors="（漢）司馬遷撰 （唐）張守節正義")
    update_holding(
        holding,
        data={},
        statements=parse_statements("（漢）司馬遷撰 （南朝宋）裴駰集解"),
        by=None,
        reason="改正著者",
    )
    client.force_login(world.users["cataloguer_a"])

    changes = client.get(reverse("holding_timeline", args=[holding.pk])).context["changes"]

    about = {(c.reason, c.kind, c.subject.split()[-1]) for c in changes}
    assert {
        ("测试数据", "+", "（漢）司馬遷撰"),
        ("测试数据", "+", "（唐）張守節正義"),
        ("改正著者", "~", "（南朝宋）裴駰集解"),
    } <= about


def test_a_stale_filter_value_does_not_drop_the_search(world, catalogue):
    """A bookmarked link with a retired edition type must still search for what it says."""
    assert _listed(catalogue, q="史记", edition_type="已停用的版本类型") == {"甲-史记"}
