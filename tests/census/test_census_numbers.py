"""Census numbers (普查编号): national format, per-institution serials, no gaps, never reused."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from census.models import CensusCounter
from census.services import accept_entry, allocate_census_number, submit_entries
from guji.models import Holding
from tests.census.workflow_factories import Role, make_entry
from tests.factories import make_holding, make_institution, make_user

FORMAT = re.compile(r"^\d{6}-\d{4}-\d{7}$")


def serials(institution) -> list[int]:
    numbers = Holding.objects.filter(institution=institution).exclude(census_number="")
    return sorted(int(n[-7:]) for n in numbers.values_list("census_number", flat=True))


@pytest.mark.django_db
def test_census_number_is_region_institution_and_seven_digit_serial():
    a = make_institution(code="0101", region_code="110000")
    entry = make_entry(institution=a)

    holding = accept_entry(entry, by=make_user(Role.REVIEWER))

    assert holding.census_number == "110000-0101-0000001"
    assert FORMAT.match(holding.census_number)


@pytest.mark.django_db
def test_serials_run_per_institution_in_order_of_acceptance():
    a, b = make_institution(), make_institution()
    reviewer = make_user(Role.REVIEWER)
    entries = [make_entry(institution=inst) for inst in (a, b, a, a, b)]

    numbers = [accept_entry(e, by=reviewer).census_number for e in entries]

    assert [n.split("-")[1] for n in numbers] == [a.code, b.code, a.code, a.code, b.code]
    assert [n[-7:] for n in numbers] == ["0000001", "0000001", "0000002", "0000003", "0000002"]
    assert (serials(a), serials(b)) == ([1, 2, 3], [1, 2])


@pytest.mark.django_db
def test_a_deleted_record_never_gives_its_number_to_another():
    a = make_institution()
    reviewer = make_user(Role.REVIEWER)
    first = accept_entry(make_entry(institution=a), by=reviewer)
    first.delete()

    second = accept_entry(make_entry(institution=a), by=reviewer)

    assert second.census_number.endswith("-0000002")


@pytest.mark.django_db
def test_a_record_that_already_has_a_number_keeps_it_and_takes_no_serial():
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    holding = make_holding(a, by=cataloguer)
    # A number given on the national platform before this system (an import path may keep it).
    Holding.objects.filter(pk=holding.pk).update(census_number=f"330000-{a.code}-0000042")
    (entry,) = submit_entries([holding], by=cataloguer)

    accepted = accept_entry(entry, by=make_user(Role.REVIEWER))

    assert accepted.census_number == f"330000-{a.code}-0000042"
    assert not CensusCounter.objects.filter(institution=a, last_serial__gt=0).exists()


@pytest.mark.django_db
def test_a_rolled_back_acceptance_leaves_no_gap():
    a = make_institution()
    reviewer = make_user(Role.REVIEWER)
    entry = make_entry(institution=a)

    with pytest.raises(RuntimeError), transaction.atomic():
        accept_entry(entry, by=reviewer)
        raise RuntimeError("the request failed after the number was drawn")

    holding = accept_entry(make_entry(institution=a), by=reviewer)
    assert holding.census_number.endswith("-0000001")
    entry.holding.refresh_from_db()
    assert (entry.holding.status, entry.holding.census_number) == (Holding.Status.SUBMITTED, "")


@pytest.mark.django_db
def test_an_institution_that_used_every_serial_gets_a_clear_refusal():
    a = make_institution()
    CensusCounter.objects.create(institution=a, last_serial=9_999_999)

    with pytest.raises(ValidationError, match=a.name):
        allocate_census_number(a)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_at_one_institution_take_consecutive_serials_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Row locks (SELECT … FOR UPDATE) are only exercised on PostgreSQL: run with "
            "DATABASE_URL=postgres://… (SQLite serialises every writer, so it proves nothing)."
        )
    n = 8
    a = make_institution()
    cataloguer = make_user(Role.CATALOGUER, a)
    entries = submit_entries([make_holding(a, by=cataloguer) for _ in range(n)], by=cataloguer)
    reviewers = [make_user(Role.REVIEWER) for _ in range(n)]
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def accept(entry, reviewer):
        try:
            barrier.wait(timeout=30)  # every thread, on its own connection, accepts at once
            accept_entry(entry, by=reviewer, comment="并发通过")
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(entries, reviewers, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors, errors
    assert serials(a) == list(range(1, n + 1))
    assert CensusCounter.objects.get(institution=a).last_serial == n
    assert set(Holding.objects.filter(institution=a).values_list("status", flat=True)) == {
        Holding.Status.REGISTERED
    }
