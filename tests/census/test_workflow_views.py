"""The census workflow's pages: what each user sees and what their forms do."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from census.models import Campaign, CensusEntry, CorrectionRequest, ReviewRound
from census.services import accept_entry, request_correction, return_entry, submit_entries
from guji.models import Holding
from guji.services import update_holding
from tests.census.workflow_factories import Role, make_campaign, make_entry
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db

S = Holding.Status


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the English msgids: the translation catalogue is maintained separately."""
    settings.LANGUAGE_CODE = "en"


def text(response) -> str:
    return response.content.decode()


# --- submitting -------------------------------------------------------------------------------


def test_cataloguer_submits_from_the_holding_page(client):
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    holding = make_holding(a, by=cataloguer)
    client.force_login(cataloguer)

    page = client.get(holding.get_absolute_url())
    assert "Submit for review" in text(page)

    response = client.post(
        reverse("census:holding_submit", args=[holding.pk]), {"note": "卷数已核"}
    )

    assert response.status_code == 302
    holding.refresh_from_db()
    assert holding.status == S.SUBMITTED
    assert ReviewRound.objects.get(entry__holding=holding).note == "卷数已核"
    page = client.get(holding.get_absolute_url())
    assert "Waiting for review" in text(page)
    assert reverse("holding_edit", args=[holding.pk]) not in text(page)


def test_batch_submission_page_submits_the_selected_records(client):
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    chosen = [make_holding(a, by=cataloguer) for _ in range(2)]
    left = make_holding(a, by=cataloguer)
    client.force_login(cataloguer)

    response = client.post(
        reverse("census:submit_list"), {"holdings": [h.pk for h in chosen], "note": "第一批"}
    )

    assert response.status_code == 302
    statuses = dict(Holding.objects.values_list("pk", "status"))
    assert [statuses[h.pk] for h in chosen] == [S.SUBMITTED, S.SUBMITTED]
    assert statuses[left.pk] == S.DRAFT


def test_batch_submission_cannot_reach_another_institutions_records(client):
    a, b = make_institution(), make_institution()
    theirs = make_holding(b)
    client.force_login(make_user(Role.CATALOGUER, a))

    response = client.post(reverse("census:submit_list"), {"holdings": [theirs.pk]})

    assert response.status_code == 200  # the form refuses the unknown choice
    theirs.refresh_from_db()
    assert theirs.status == S.DRAFT


def test_editing_a_submitted_record_sends_the_cataloguer_back_with_an_explanation(client):
    entry = make_entry()
    client.force_login(entry.rounds.get().submitted_by)

    response = client.get(reverse("holding_edit", args=[entry.holding_id]), follow=True)

    assert "waiting for census review" in text(response)


def test_editing_a_registered_record_leads_to_the_correction_request(client):
    entry = make_entry(S.REGISTERED)
    client.force_login(entry.rounds.get().submitted_by)

    response = client.get(reverse("holding_edit", args=[entry.holding_id]))

    assert response["Location"] == reverse("census:holding_correction", args=[entry.holding_id])


# --- reviewing ----------------------------------------------------------------------------------


def test_reviewer_returns_with_a_comment_on_a_named_field_and_the_cataloguer_sees_it(client):
    entry = make_entry()
    reviewer = make_user(Role.REVIEWER)
    client.force_login(reviewer)

    response = client.post(
        reverse("census:holding_review", args=[entry.holding_id]),
        {"decision": "return", "comment": "请核对卷端", "on_edition_statement": "牌记作乾隆五年"},
    )

    assert response.status_code == 302
    round_ = entry.rounds.get()
    assert list(round_.field_comments.values_list("field", "comment")) == [
        ("edition_statement", "牌记作乾隆五年")
    ]
    client.force_login(entry.rounds.get().submitted_by)
    for url in (entry.holding.get_absolute_url(), reverse("census:returned_list")):
        page = text(client.get(url))
        assert "请核对卷端" in page
        assert "edition statement" in page.lower()
        assert "牌记作乾隆五年" in page


def test_returning_without_any_comment_is_refused_on_the_page(client):
    entry = make_entry()
    client.force_login(make_user(Role.REVIEWER))

    response = client.post(
        reverse("census:holding_review", args=[entry.holding_id]), {"decision": "return"}
    )

    assert response.status_code == 400
    assert "Say what needs correcting" in text(response)
    entry.holding.refresh_from_db()
    assert entry.holding.status == S.SUBMITTED


def test_accepting_on_the_review_page_shows_the_census_number(client):
    entry = make_entry()
    client.force_login(make_user(Role.REVIEWER))

    response = client.post(
        reverse("census:holding_review", args=[entry.holding_id]),
        {"decision": "accept", "comment": "无误"},
        follow=True,
    )

    entry.holding.refresh_from_db()
    assert entry.holding.census_number
    assert entry.holding.census_number in text(response)


def test_review_page_shows_what_changed_since_the_last_round_and_earlier_comments(client):
    entry = make_entry(S.RETURNED)
    cataloguer = entry.rounds.get().submitted_by
    update_holding(
        entry.holding,
        data={"edition_statement": "清乾隆五年（1740）武英殿刻本"},
        by=cataloguer,
        reason="据牌记改",
    )
    submit_entries([entry.holding], by=cataloguer, reason="已改")
    client.force_login(make_user(Role.REVIEWER))

    page = text(client.get(reverse("census:holding_review", args=[entry.holding_id])))

    assert "What changed since round 1" in page
    assert "清乾隆四年（1739）武英殿刻本" in page  # before
    assert "清乾隆五年（1740）武英殿刻本" in page  # after
    assert "卷数有误" in page  # round 1's comment on 题名卷数, beside the field
    assert 'class="changed"' in page


def test_review_page_and_queue_flag_likely_duplicates(client):
    a = make_institution()
    make_holding(a, title_juan="史記一百三十卷", call_number="善0001")
    entry = make_entry(institution=a, title_juan="史记一百三十卷", call_number="善0002")
    client.force_login(make_user(Role.REVIEWER))

    review = text(client.get(reverse("census:holding_review", args=[entry.holding_id])))
    queue = text(client.get(reverse("census:review_queue")))

    assert "Possible duplicate" in review and "善0001" in review
    assert "possible duplicate of 1 record" in queue


def test_queue_lists_submitted_entries_oldest_first_with_filters(client):
    a, b = make_institution(), make_institution()
    campaign = make_campaign(a)
    old = make_entry(institution=a, title_juan="老子二卷")
    new = make_entry(institution=b, title_juan="莊子十卷")
    CensusEntry.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    make_entry(S.RETURNED, institution=a, title_juan="荀子二十卷")
    client.force_login(make_user(Role.REVIEWER))

    page = text(client.get(reverse("census:review_queue")))
    filtered = text(client.get(reverse("census:review_queue"), {"campaign": campaign.pk}))

    assert page.index("老子二卷") < page.index("莊子十卷")
    assert "荀子二十卷" not in page
    assert "age-older" in page
    assert "老子二卷" in filtered and "莊子十卷" not in filtered
    assert new.institution != old.institution


def test_batch_accept_and_return_from_the_queue(client):
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    entries = [make_entry(institution=a, cataloguer=cataloguer) for _ in range(4)]
    client.force_login(make_user(Role.REVIEWER))
    url = reverse("census:review_batch")

    client.post(url, {"entries": [e.pk for e in entries[:2]], "decision": "accept", "comment": ""})
    refused = client.post(url, {"entries": [entries[2].pk], "decision": "return", "comment": ""})
    client.post(url, {"entries": [entries[2].pk], "decision": "return", "comment": "缺版本"})

    statuses = [Holding.objects.get(pk=e.holding_id).status for e in entries]
    assert statuses == [S.REGISTERED, S.REGISTERED, S.RETURNED, S.SUBMITTED]
    assert refused.status_code == 302
    assert entries[2].rounds.get().comment == "缺版本"


# --- campaigns ----------------------------------------------------------------------------------


def test_centre_administrator_opens_a_campaign_on_the_page(client):
    a, b = make_institution(), make_institution()
    admin = make_user(Role.CENTRE_ADMIN)
    client.force_login(admin)

    response = client.post(
        reverse("census:campaign_create"),
        {
            "name": "第一次全市普查",
            "starts_on": "2026-03-01",
            "ends_on": "2026-12-31",
            "description": "",
            "reason": "",
            "p-TOTAL_FORMS": "3",
            "p-INITIAL_FORMS": "0",
            "p-0-institution": a.pk,
            "p-0-estimated_holdings": "1200",
            "p-1-institution": b.pk,
            "p-1-estimated_holdings": "80",
            "p-2-institution": "",
            "p-2-estimated_holdings": "",
        },
    )

    campaign = Campaign.objects.get()
    assert response["Location"] == campaign.get_absolute_url()
    assert dict(campaign.participations.values_list("institution", "estimated_holdings")) == {
        a.pk: 1200,
        b.pk: 80,
    }
    assert campaign.history.get().history_user == admin


def test_reviewer_cannot_open_a_campaign_by_posting(client):
    client.force_login(make_user(Role.REVIEWER))
    response = client.post(reverse("census:campaign_create"), {"name": "x"})
    assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_dashboard_counts_states_against_the_estimate_and_the_queue_by_age(client):
    a, b = make_institution(short_name="甲馆"), make_institution(short_name="乙馆")
    campaign = make_campaign(a, b, estimate=10)
    cataloguer = make_user(Role.CATALOGUER, a)
    make_entry(S.REGISTERED, institution=a, cataloguer=cataloguer)
    make_entry(S.RETURNED, institution=a, cataloguer=cataloguer)
    waiting = make_entry(institution=a, cataloguer=cataloguer)
    CensusEntry.objects.filter(pk=waiting.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    make_holding(a, by=cataloguer)  # a draft
    client.force_login(make_user(Role.PROVINCIAL))

    response = client.get(campaign.get_absolute_url())

    from census.dashboard import campaign_progress

    rows, totals = campaign_progress(campaign, make_user(Role.PROVINCIAL))
    assert [r.institution for r in rows] == [a, b]
    assert rows[0].counts == {S.REGISTERED: 1, S.RETURNED: 1, S.SUBMITTED: 1, S.DRAFT: 1}
    assert rows[0].registered_percent == 10
    assert rows[0].queue == {"day": 0, "week": 1, "month": 0, "older": 0}
    assert totals.estimate == 20
    page = text(response)
    assert "甲馆" in page and "乙馆" in page
    assert 'class="seg registered"' in page


def test_cataloguer_sees_only_their_institution_on_the_dashboard(client):
    a, b = make_institution(short_name="甲馆"), make_institution(short_name="乙馆")
    campaign = make_campaign(a, b)
    client.force_login(make_user(Role.CATALOGUER, a))

    page = text(client.get(campaign.get_absolute_url()))

    assert "甲馆" in page and "乙馆" not in page


# --- corrections ----------------------------------------------------------------------------


def correction_post(holding, **changes) -> dict:
    data = {
        "action": "request",
        "call_number": holding.call_number,
        "title_juan": holding.title_juan,
        "title": holding.title,
        "juan_count": holding.juan_count or "",
        "authors": holding.authors_text,
        "edition_statement": holding.edition_statement,
        "volumes": holding.volumes,
        "reason": "",
    }
    data.update(changes)
    return data


def test_cataloguer_requests_a_correction_and_a_reviewer_accepts_it_on_the_page(client):
    entry = make_entry(S.REGISTERED)
    holding = entry.holding
    cataloguer = entry.rounds.get().submitted_by
    client.force_login(cataloguer)
    url = reverse("census:holding_correction", args=[holding.pk])

    response = client.post(url, correction_post(holding, volumes=20, reason="重新点数"))

    assert response.status_code == 302
    request = CorrectionRequest.objects.get()
    assert request.changes == {"volumes": 20}
    holding.refresh_from_db()
    assert holding.volumes == 24

    client.force_login(make_user(Role.REVIEWER))
    page = text(client.get(url))
    assert "重新点数" in page and "Accept the correction" in page
    client.post(url, {"action": "accept", "reason": "核对无误"})

    holding.refresh_from_db()
    assert holding.volumes == 20
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.ACCEPTED


def test_correction_request_with_a_used_call_number_shows_the_duplicate_error(client):
    entry = make_entry(S.REGISTERED)
    other = make_holding(entry.institution)
    client.force_login(entry.rounds.get().submitted_by)

    response = client.post(
        reverse("census:holding_correction", args=[entry.holding_id]),
        correction_post(entry.holding, call_number=other.call_number, reason="改号"),
    )

    assert response.status_code == 400
    assert f"Call number {other.call_number} is already used" in text(response)
    assert not CorrectionRequest.objects.exists()


def test_cataloguer_cannot_decide_their_own_correction_request(client):
    entry = make_entry(S.REGISTERED)
    cataloguer = entry.rounds.get().submitted_by
    request = request_correction(entry.holding, data={"volumes": 2}, by=cataloguer, reason="x")
    client.force_login(cataloguer)

    response = client.post(
        reverse("census:holding_correction", args=[entry.holding_id]), {"action": "accept"}
    )

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.PENDING


def test_timeline_page_shows_census_events_with_comments(client):
    entry = make_entry(S.RETURNED)
    client.force_login(entry.rounds.get().submitted_by)

    page = text(client.get(reverse("holding_timeline", args=[entry.holding_id])))

    assert "Census: returned, round 1" in page
    assert "请核对" in page and "卷数有误" in page
    # The step says what happened once: not "returned … · changed", and not a second entry
    # for the status it set.
    assert "Census: returned, round 1 · changed" not in page
    assert page.count("请核对") == 1


def test_timeline_page_shows_a_correction_request_as_a_proposal(client):
    entry = make_entry(S.RETURNED)
    cataloguer = entry.rounds.get().submitted_by
    submit_entries([entry.holding], by=cataloguer)
    accept_entry(entry, by=entry.rounds.first().decided_by, comment="通过")
    request_correction(entry.holding, data={"volumes": 2}, by=cataloguer, reason="点数")
    client.force_login(cataloguer)

    page = text(client.get(reverse("holding_timeline", args=[entry.holding_id])))

    assert "proposal, not applied" in page
    assert "Proposed value" in page


# --- bounded queries ------------------------------------------------------------------------


def count_queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def fill_queue(n: int, institutions) -> None:
    for i in range(n):
        inst = institutions[i % len(institutions)]
        entry = make_entry(institution=inst, title_juan=f"書{i}一卷")
        if i % 3 == 0:
            return_entry(entry, by=make_user(Role.REVIEWER), comment="改")
            submit_entries([entry.holding], by=entry.rounds.first().submitted_by)


@pytest.mark.parametrize(
    "url_name", ["census:review_queue", "census:returned_list", "census:correction_list"]
)
def test_lists_take_the_same_number_of_queries_for_3_and_30_rows(client, url_name):
    institutions = [make_institution() for _ in range(3)]
    admin = make_user(Role.CENTRE_ADMIN)
    client.force_login(admin)
    url = reverse(url_name)

    def grow(n):
        for i in range(n):
            entry = make_entry(institution=institutions[i % 3], title_juan=f"書{i}一卷")
            if url_name == "census:returned_list":
                return_entry(entry, by=admin, comment="改", field_comments={"notes": "补"})
            elif url_name == "census:correction_list":
                from census.services import accept_entry

                accept_entry(entry, by=admin)
                request_correction(
                    entry.holding,
                    data={"volumes": 3},
                    by=entry.rounds.get().submitted_by,
                    reason="点数",
                )

    grow(3)
    few = count_queries(client, url)
    grow(27)
    many = count_queries(client, url)

    assert few == many


def test_review_queue_queries_do_not_grow_with_rounds_and_duplicates(client):
    institutions = [make_institution() for _ in range(3)]
    client.force_login(make_user(Role.REVIEWER))
    fill_queue(3, institutions)
    few = count_queries(client, reverse("census:review_queue"))
    fill_queue(27, institutions)
    many = count_queries(client, reverse("census:review_queue"))
    assert few == many


def test_submit_list_and_campaign_pages_take_the_same_queries_for_3_and_30(client):
    admin = make_user(Role.CENTRE_ADMIN)
    client.force_login(admin)
    small = [make_institution() for _ in range(3)]
    big = [make_institution() for _ in range(30)]
    small_campaign, big_campaign = make_campaign(*small), make_campaign(*big)
    for inst in small:
        make_entry(S.REGISTERED, institution=inst)
    for inst in big:
        make_entry(S.REGISTERED, institution=inst)
        make_entry(institution=inst)

    assert count_queries(client, small_campaign.get_absolute_url()) == count_queries(
        client, big_campaign.get_absolute_url()
    )
    few_lists = count_queries(client, reverse("census:campaign_list"))
    for _ in range(28):
        make_campaign(small[0])
    assert count_queries(client, reverse("census:campaign_list")) == few_lists

    for inst in big[:3]:
        make_holding(inst)
    few_submit = count_queries(client, reverse("census:submit_list"))
    for inst in big[3:30]:
        make_holding(inst)
    assert count_queries(client, reverse("census:submit_list")) == few_submit
