"""The census workflow's domain functions: who may do what, in which state, and what is kept."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from census.models import (
    Campaign,
    CensusEntry,
    CorrectionRequest,
    FieldComment,
    Participation,
    ReviewRound,
)
from census.review import likely_duplicates, snapshot_diff
from census.services import (
    accept_correction,
    accept_entry,
    open_campaign,
    refuse_correction,
    request_correction,
    return_entry,
    review_entries,
    submit_entries,
    update_campaign,
)
from guji.cataloguing import parse_statements
from guji.models import Holding
from guji.services import update_holding
from tests.census.workflow_factories import Role, make_campaign, make_entry
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db

S = Holding.Status


def latest(obj):
    return obj.history.order_by("-history_id").first()


# --- campaigns ------------------------------------------------------------------------------


def test_centre_administrator_opens_a_campaign_with_estimates_and_history():
    admin = make_user(Role.CENTRE_ADMIN)
    a, b = make_institution(), make_institution()

    campaign = open_campaign(
        name="2026年全市古籍普查",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 12, 31),
        participants={a: 1200, b: 300},
        by=admin,
        reason="市古籍保护中心部署",
    )

    estimates = dict(campaign.participations.values_list("institution", "estimated_holdings"))
    assert estimates == {a.pk: 1200, b.pk: 300}
    version = latest(campaign)
    assert (version.history_user, version.history_change_reason) == (admin, "市古籍保护中心部署")
    assert latest(campaign.participations.get(institution=a)).history_user == admin


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PROVINCIAL])
def test_only_the_centre_administrator_opens_a_campaign(role):
    a = make_institution()

    with pytest.raises(PermissionDenied):
        open_campaign(
            name="x",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 2, 1),
            participants={a: 1},
            by=make_user(role),
        )

    assert not Campaign.objects.exists()


def test_institution_manager_cannot_open_a_campaign():
    a = make_institution()
    with pytest.raises(PermissionDenied):
        open_campaign(
            name="x",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 2, 1),
            participants={a: 1},
            by=make_user(Role.MANAGER, a),
        )
    assert not Campaign.objects.exists()


def test_campaign_must_end_after_it_starts():
    with pytest.raises(ValidationError):
        open_campaign(
            name="x",
            starts_on=date(2026, 5, 1),
            ends_on=date(2026, 1, 1),
            participants={make_institution(): 1},
            by=make_user(Role.CENTRE_ADMIN),
        )
    assert not Campaign.objects.exists()


def test_updating_a_campaign_changes_estimates_and_keeps_institutions_with_entries():
    admin = make_user(Role.CENTRE_ADMIN)
    a, b = make_institution(), make_institution()
    campaign = make_campaign(a, b)
    make_entry(institution=a)

    update_campaign(
        campaign, data={"is_open": False}, participants={a: 5, b: 7}, by=admin, reason="调整估计数"
    )
    assert dict(campaign.participations.values_list("institution", "estimated_holdings")) == {
        a.pk: 5,
        b.pk: 7,
    }
    with pytest.raises(ValidationError, match=a.name):
        update_campaign(campaign, data={}, participants={b: 7}, by=admin, reason="去掉甲")
    assert campaign.participations.count() == 2


# --- submission -----------------------------------------------------------------------------


def test_cataloguer_submits_a_draft_as_round_one_with_a_snapshot_and_history():
    a = make_institution()
    campaign = make_campaign(a)
    cataloguer = make_user(Role.CATALOGUER, a)
    holding = make_holding(a, by=cataloguer, authors="（漢）司馬遷撰 （南朝宋）裴駰集解")

    (entry,) = submit_entries([holding], by=cataloguer, reason="首批提交")

    holding.refresh_from_db()
    assert holding.status == S.SUBMITTED
    assert entry.campaign == campaign
    assert entry.round == 1
    round_ = entry.rounds.get()
    assert round_.snapshot["authors_text"] == "（漢）司馬遷撰 （南朝宋）裴駰集解"
    assert round_.snapshot["title_juan"] == "史記一百三十卷"
    assert (round_.submitted_by, round_.note) == (cataloguer, "首批提交")
    version = latest(holding)
    assert (version.history_user, version.history_change_reason) == (cataloguer, "首批提交")


def test_batch_submission_submits_every_record():
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    holdings = [make_holding(a, by=cataloguer) for _ in range(3)]

    entries = submit_entries(holdings, by=cataloguer)

    assert len(entries) == 3
    assert set(Holding.objects.values_list("status", flat=True)) == {S.SUBMITTED}
    assert all(e.campaign is None for e in entries)  # no open campaign: still reviewable


def test_submitting_for_another_institution_is_refused_and_changes_nothing():
    a, b = make_institution(), make_institution()
    mine = make_holding(a)
    theirs = make_holding(b)

    with pytest.raises(PermissionDenied):
        submit_entries([mine, theirs], by=make_user(Role.CATALOGUER, a))

    assert set(Holding.objects.values_list("status", flat=True)) == {S.DRAFT}
    assert not CensusEntry.objects.exists()


def test_reviewer_cannot_submit():
    holding = make_holding()
    with pytest.raises(PermissionDenied):
        submit_entries([holding], by=make_user(Role.REVIEWER))
    assert not ReviewRound.objects.exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.REGISTERED])
def test_only_drafts_and_returned_records_can_be_submitted(status):
    entry = make_entry(status)
    cataloguer = entry.rounds.get().submitted_by

    with pytest.raises(ValidationError, match=entry.holding.call_number):
        submit_entries([entry.holding], by=cataloguer)

    assert entry.rounds.count() == 1


def test_one_bad_record_stops_the_whole_batch():
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    draft = make_holding(a, by=cataloguer)
    submitted = make_entry(institution=a, cataloguer=cataloguer).holding

    with pytest.raises(ValidationError):
        submit_entries([draft, submitted], by=cataloguer)

    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_resubmitting_a_returned_record_opens_the_next_round():
    entry = make_entry(S.RETURNED)
    cataloguer = entry.rounds.get().submitted_by
    update_holding(
        entry.holding, data={"title_juan": "史記一百二十卷"}, by=cataloguer, reason="按卷端改正"
    )

    submit_entries([entry.holding], by=cataloguer, reason="已改正")

    entry.refresh_from_db()
    assert entry.round == 2
    first, second = entry.rounds.order_by("number")
    assert second.note == "已改正"
    diff = {c.field: (c.old, c.new) for c in snapshot_diff(first.snapshot, second.snapshot)}
    assert diff["title_juan"] == ("史記一百三十卷", "史記一百二十卷")
    assert diff["juan_count"] == (130, 120)


# --- review ---------------------------------------------------------------------------------


def test_accepting_registers_the_record_gives_a_census_number_and_records_who_and_why():
    entry = make_entry()
    reviewer = make_user(Role.REVIEWER)

    holding = accept_entry(entry, by=reviewer, comment="与卡片核对无误")

    assert holding.status == S.REGISTERED
    assert holding.census_number == f"330000-{entry.institution.code}-0000001"
    version = latest(holding)
    assert (version.history_user, version.history_change_reason) == (reviewer, "与卡片核对无误")
    round_ = entry.rounds.get()
    assert (round_.decision, round_.decided_by, round_.comment) == (
        ReviewRound.Decision.ACCEPTED,
        reviewer,
        "与卡片核对无误",
    )
    entry.refresh_from_db()
    assert entry.accepted_at is not None
    holding.refresh_from_db()
    assert holding.census_number in holding.search_key


@pytest.mark.parametrize("role", [Role.CATALOGUER, Role.MANAGER, Role.PROVINCIAL, Role.CONSERVATOR])
def test_only_reviewers_accept(role):
    entry = make_entry()
    user = make_user(role, entry.institution if role in (Role.CATALOGUER, Role.MANAGER) else None)

    with pytest.raises(PermissionDenied):
        accept_entry(entry, by=user, comment="")

    entry.holding.refresh_from_db()
    assert (entry.holding.status, entry.holding.census_number) == (S.SUBMITTED, "")
    assert entry.rounds.get().decision == ReviewRound.Decision.PENDING


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.REGISTERED])
def test_only_a_submitted_entry_can_be_accepted_or_returned(status):
    entry = make_entry(status)
    if status == S.DRAFT:
        entry.save()  # an entry row for a never-submitted record
    reviewer = make_user(Role.REVIEWER)
    before = entry.holding.census_number

    with pytest.raises(ValidationError):
        accept_entry(entry, by=reviewer)
    with pytest.raises(ValidationError):
        return_entry(entry, by=reviewer, comment="再看看")

    entry.holding.refresh_from_db()
    assert (entry.holding.status, entry.holding.census_number) == (status, before)


def test_returning_keeps_the_comment_and_the_field_comments_in_form_order():
    entry = make_entry()
    reviewer = make_user(Role.REVIEWER)

    return_entry(
        entry,
        by=reviewer,
        comment="请核对卷端",
        field_comments={
            "edition_statement": "年份与牌记不符",
            "title_juan": "卷数有误",
            "notes": " ",
        },
    )

    entry.holding.refresh_from_db()
    assert entry.holding.status == S.RETURNED
    round_ = entry.rounds.get()
    assert (round_.decision, round_.comment) == (ReviewRound.Decision.RETURNED, "请核对卷端")
    assert list(round_.field_comments.values_list("field", "comment")) == [
        ("title_juan", "卷数有误"),
        ("edition_statement", "年份与牌记不符"),
    ]
    version = latest(entry.holding)
    assert (version.history_user, version.history_change_reason) == (reviewer, "请核对卷端")


def test_returning_needs_a_comment_somewhere():
    entry = make_entry()
    with pytest.raises(ValidationError):
        return_entry(entry, by=make_user(Role.REVIEWER), comment=" ", field_comments={})
    entry.holding.refresh_from_db()
    assert entry.holding.status == S.SUBMITTED


def test_cataloguer_cannot_return_an_entry():
    entry = make_entry()
    with pytest.raises(PermissionDenied):
        return_entry(entry, by=entry.rounds.get().submitted_by, comment="自己退回")
    assert not FieldComment.objects.exists()
    entry.holding.refresh_from_db()
    assert entry.holding.status == S.SUBMITTED


def test_batch_accept_reports_entries_decided_meanwhile_and_accepts_the_rest():
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    entries = [make_entry(institution=a, cataloguer=cataloguer) for _ in range(3)]
    reviewer = make_user(Role.REVIEWER)
    return_entry(entries[1], by=reviewer, comment="另一审核员已退回")

    result = review_entries(entries, by=reviewer, accept=True, comment="批量通过")

    assert [e.pk for e in result.done] == [entries[0].pk, entries[2].pk]
    assert [e.pk for e, _msg in result.problems] == [entries[1].pk]
    numbers = sorted(
        Holding.objects.exclude(census_number="").values_list("census_number", flat=True)
    )
    assert [n[-7:] for n in numbers] == ["0000001", "0000002"]


def test_batch_return_needs_a_comment_and_refuses_strangers_before_touching_anything():
    entries = [make_entry(), make_entry()]
    with pytest.raises(ValidationError):
        review_entries(entries, by=make_user(Role.REVIEWER), accept=False, comment="")
    with pytest.raises(PermissionDenied):
        review_entries(
            entries, by=make_user(Role.CATALOGUER, entries[1].institution), accept=True, comment=""
        )
    assert set(Holding.objects.values_list("status", flat=True)) == {S.SUBMITTED}


# --- locking --------------------------------------------------------------------------------


def test_registered_record_refuses_direct_edits_and_points_to_a_correction_request():
    entry = make_entry(S.REGISTERED)
    cataloguer = entry.rounds.get().submitted_by

    with pytest.raises(ValidationError, match="更正申请"):
        update_holding(entry.holding, data={"notes": "悄悄修改"}, by=cataloguer, reason="改")

    entry.holding.refresh_from_db()
    assert entry.holding.notes == ""


def test_submitted_record_is_not_editable_until_returned():
    entry = make_entry()
    cataloguer = entry.rounds.get().submitted_by
    with pytest.raises(ValidationError, match="等待普查审核"):
        update_holding(entry.holding, data={"notes": "x"}, by=cataloguer, reason="改")

    return_entry(entry, by=make_user(Role.REVIEWER), comment="请补附注")
    update_holding(entry.holding, data={"notes": "x"}, by=cataloguer, reason="补附注")
    entry.holding.refresh_from_db()
    assert entry.holding.notes == "x"


def test_grading_a_registered_record_is_not_blocked_by_the_lock():
    entry = make_entry(S.REGISTERED)
    holding = update_holding(
        entry.holding, data={"grade": "2B"}, by=make_user(Role.CENTRE_ADMIN), reason="定级"
    )
    assert holding.grade == "2B"


# --- correction requests --------------------------------------------------------------------


def test_correction_request_changes_nothing_until_a_reviewer_accepts_it():
    entry = make_entry(S.REGISTERED)
    cataloguer = entry.rounds.get().submitted_by
    holding = entry.holding
    number = holding.census_number

    request = request_correction(
        holding,
        data={"volumes": 20, "notes": "原著录册数有误", "call_number": holding.call_number},
        statements=parse_statements("（漢）司馬遷撰 （唐）司馬貞索隱"),
        by=cataloguer,
        reason="重新点数册数",
    )

    assert request.status == CorrectionRequest.Status.PENDING
    assert request.changes == {
        "volumes": 20,
        "notes": "原著录册数有误",
        "authors": "（漢）司馬遷撰 （唐）司馬貞索隱",
    }
    assert request.previous == {"volumes": 24, "notes": "", "authors": "（漢）司馬遷撰"}
    holding.refresh_from_db()
    assert holding.volumes == 24

    reviewer = make_user(Role.REVIEWER)
    accept_correction(request, by=reviewer, reason="核对无误")

    holding.refresh_from_db()
    assert (holding.volumes, holding.notes, holding.authors_text) == (
        20,
        "原著录册数有误",
        "（漢）司馬遷撰 （唐）司馬貞索隱",
    )
    assert (holding.status, holding.census_number) == (S.REGISTERED, number)
    version = latest(holding)
    assert version.history_user == reviewer
    assert "重新点数册数" in version.history_change_reason
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == (
        CorrectionRequest.Status.ACCEPTED,
        reviewer,
        "核对无误",
    )
    assert latest(request).history_user == reviewer


def test_refused_correction_leaves_the_record_and_keeps_the_reason():
    entry = make_entry(S.REGISTERED)
    request = request_correction(
        entry.holding, data={"volumes": 3}, by=entry.rounds.get().submitted_by, reason="点数"
    )
    reviewer = make_user(Role.REVIEWER)

    with pytest.raises(ValidationError):
        refuse_correction(request, by=reviewer, reason="")
    refuse_correction(request, by=reviewer, reason="与原书不符")

    entry.holding.refresh_from_db()
    assert entry.holding.volumes == 24
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (
        CorrectionRequest.Status.REFUSED,
        "与原书不符",
    )
    with pytest.raises(ValidationError):
        accept_correction(request, by=reviewer)


def test_correction_requests_refuse_the_wrong_users_and_change_nothing():
    entry = make_entry(S.REGISTERED)
    other = make_user(Role.CATALOGUER, make_institution())
    with pytest.raises(PermissionDenied):
        request_correction(entry.holding, data={"volumes": 3}, by=other, reason="x")
    with pytest.raises(PermissionDenied):
        request_correction(
            entry.holding, data={"volumes": 3}, by=make_user(Role.REVIEWER), reason="x"
        )
    assert not CorrectionRequest.objects.exists()

    cataloguer = entry.rounds.get().submitted_by
    request = request_correction(entry.holding, data={"volumes": 3}, by=cataloguer, reason="x")
    for user in (cataloguer, other):
        with pytest.raises(PermissionDenied):
            accept_correction(request, by=user)
        with pytest.raises(PermissionDenied):
            refuse_correction(request, by=user, reason="x")
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.PENDING
    entry.holding.refresh_from_db()
    assert entry.holding.volumes == 24


def test_correction_request_needs_a_reason_a_change_and_a_registered_record():
    entry = make_entry(S.REGISTERED)
    cataloguer = entry.rounds.get().submitted_by
    with pytest.raises(ValidationError):
        request_correction(entry.holding, data={"volumes": 3}, by=cataloguer, reason=" ")
    with pytest.raises(ValidationError):
        request_correction(entry.holding, data={"volumes": 24}, by=cataloguer, reason="无变化")
    draft = make_holding(entry.institution, by=cataloguer)
    with pytest.raises(ValidationError):
        request_correction(draft, data={"volumes": 3}, by=cataloguer, reason="草稿")
    assert not CorrectionRequest.objects.exists()


def test_only_one_correction_request_waits_at_a_time():
    entry = make_entry(S.REGISTERED)
    cataloguer = entry.rounds.get().submitted_by
    request_correction(entry.holding, data={"volumes": 3}, by=cataloguer, reason="一")
    with pytest.raises(ValidationError):
        request_correction(entry.holding, data={"volumes": 4}, by=cataloguer, reason="二")
    assert CorrectionRequest.objects.count() == 1


def test_correction_to_a_call_number_already_used_is_refused_when_requested_and_when_accepted():
    entry = make_entry(S.REGISTERED)
    cataloguer = entry.rounds.get().submitted_by
    other = make_holding(entry.institution, by=cataloguer)
    with pytest.raises(ValidationError, match=other.call_number):
        request_correction(
            entry.holding, data={"call_number": other.call_number}, by=cataloguer, reason="改索书号"
        )

    request = request_correction(
        entry.holding, data={"call_number": "新001"}, by=cataloguer, reason="改索书号"
    )
    make_holding(entry.institution, by=cataloguer, call_number="新001")  # taken meanwhile
    with pytest.raises(ValidationError, match="新001"):
        accept_correction(request, by=make_user(Role.REVIEWER))
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.PENDING


# --- duplicates -----------------------------------------------------------------------------


def test_same_title_juan_and_edition_in_traditional_and_simplified_is_a_likely_duplicate():
    a = make_institution()
    first = make_holding(
        a, title_juan="史記一百三十卷", edition_statement="清乾隆四年（1739）武英殿刻本"
    )
    second = make_holding(
        a, title_juan="史记一百三十卷", edition_statement="清乾隆四年（1739）武英殿刻本"
    )
    other_edition = make_holding(a, title_juan="史記一百三十卷", edition_statement="明刻本")
    elsewhere = make_holding(
        make_institution(),
        title_juan="史記一百三十卷",
        edition_statement="清乾隆四年（1739）武英殿刻本",
    )

    found = likely_duplicates([first, second, other_edition, elsewhere])

    assert [h.pk for h in found[first.pk]] == [second.pk]
    assert [h.pk for h in found[second.pk]] == [first.pk]
    assert other_edition.pk not in found
    assert elsewhere.pk not in found


# --- timeline -------------------------------------------------------------------------------


def test_every_state_change_is_in_the_holding_timeline_with_who_and_the_comment():
    from census.timeline import holding_timeline
    from guji.views import holding_changes

    entry = make_entry(S.RETURNED)
    cataloguer = entry.rounds.get().submitted_by
    reviewer = entry.rounds.get().decided_by
    submit_entries([entry.holding], by=cataloguer, reason="已改正")
    accept_entry(entry, by=reviewer, comment="通过")
    request = request_correction(entry.holding, data={"volumes": 2}, by=cataloguer, reason="点数")
    refuse_correction(request, by=reviewer, reason="不符")

    census = holding_timeline(entry.holding)
    shown = holding_changes(entry.holding)

    assert [(c.user, c.reason) for c in sorted(census, key=lambda c: c.when)] == [
        (cataloguer, "初次提交"),
        (reviewer, "请核对"),
        (cataloguer, "已改正"),
        (reviewer, "通过"),
        (cataloguer, "点数"),
        (reviewer, "不符"),
    ]
    returned = next(c for c in census if c.reason == "请核对")
    assert "卷数有误" in returned.comment
    requested = next(c for c in census if c.reason == "点数")
    assert [(f.field, f.old, f.new) for f in requested.fields] == [("volumes", 24, 2)]
    assert {(c.subject, c.reason) for c in census} <= {(c.subject, c.reason) for c in shown}
    assert any(c.kind == "+" and c.user == cataloguer for c in shown)  # the draft's creation


def test_each_workflow_step_is_one_timeline_entry_that_says_what_happened():
    from guji.history import EVENT, PROPOSAL
    from guji.views import holding_changes

    entry = make_entry(S.RETURNED)
    cataloguer = entry.rounds.get().submitted_by
    reviewer = entry.rounds.get().decided_by
    submit_entries([entry.holding], by=cataloguer, reason="已改正")
    accept_entry(entry, by=reviewer, comment="通过")
    holding = Holding.objects.get(pk=entry.holding_id)
    request_correction(holding, data={"volumes": 2}, by=cataloguer, reason="点数")

    shown = holding_changes(holding)

    # The status changes the steps wrote are inside the steps, not entries of their own.
    record = [c for c in shown if c.kind == "~"]
    assert not [c for c in record if {f.field for f in c.fields} <= {"status", "census_number"}]
    resubmitted = [c for c in shown if c.reason == "已改正"]
    assert len(resubmitted) == 1 and resubmitted[0].kind == EVENT
    assert [(f.field, str(f.new)) for f in resubmitted[0].fields] == [
        ("status", str(Holding.Status.SUBMITTED.label))
    ]
    accepted = next(c for c in shown if c.reason == "通过")
    assert accepted.kind == EVENT
    assert holding.census_number and holding.census_number in accepted.subject
    assert ("census_number", holding.census_number) in [(f.field, f.new) for f in accepted.fields]
    # A correction request is a proposal: the register still holds the old value.
    proposed = next(c for c in shown if c.reason == "点数")
    assert proposed.kind == PROPOSAL
    assert holding.volumes == 24


def test_census_timeline_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    from census.timeline import holding_timeline

    entry = make_entry(S.RETURNED)
    cataloguer = entry.rounds.get().submitted_by
    for _ in range(4):
        submit_entries([entry.holding], by=cataloguer)
        return_entry(
            entry, by=make_user(Role.REVIEWER), comment="再改", field_comments={"notes": "补充"}
        )
    holding = Holding.objects.get(pk=entry.holding_id)

    with django_assert_max_num_queries(5):
        changes = holding_timeline(holding)

    assert len(changes) == 10  # five rounds, each submitted and returned


def test_participation_links_entries_only_to_open_campaigns():
    a = make_institution()
    make_campaign(a, name="旧普查", is_open=False)
    current = make_campaign(a, name="新普查")
    entry = make_entry(institution=a)
    assert entry.campaign == current
    assert Participation.objects.filter(institution=a).count() == 2
