"""guji.files.bulk: driver-level INSERT/COPY writes the rows the ORM would, history included."""

import pytest
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from guji.files import bulk
from guji.models import Responsibility
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db

SKIP = {"id", "holding_id", "history_id", "history_date", "created_at", "updated_at"}


def values(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in SKIP
    }


@pytest.fixture
def holding():
    return make_holding(make_institution())


def test_insert_rows_with_history_equals_bulk_create_with_history(holding):
    user = make_user()
    twin = make_holding(holding.institution)
    columns = ["holding_id", "seq", "dynasty", "name", "role"]

    with transaction.atomic():
        ids = bulk.insert_rows(
            Responsibility,
            columns,
            [(holding.pk, 1, "漢", "司馬遷", "撰"), (holding.pk, 2, "南朝宋", "裴駰", "集解")],
            history=bulk.History(by=user, reason="导入 h.xlsx"),
        )
    orm = bulk_create_with_history(
        [
            Responsibility(holding=twin, seq=1, dynasty="漢", name="司馬遷", role="撰"),
            Responsibility(holding=twin, seq=2, dynasty="南朝宋", name="裴駰", role="集解"),
        ],
        Responsibility,
        default_user=user,
        default_change_reason="导入 h.xlsx",
    )

    ours = list(Responsibility.objects.filter(pk__in=ids).order_by("pk"))
    assert [r.pk for r in ours] == ids == list(range(ids[0], ids[0] + 2))
    assert [values(r) for r in ours] == [values(r) for r in orm]
    assert [values(h) for h in Responsibility.history.filter(id__in=ids).order_by("id")] == [
        values(h) for h in Responsibility.history.filter(id__in=[r.pk for r in orm]).order_by("id")
    ]
    assert {
        (h.history_user, h.history_type) for h in Responsibility.history.filter(id__in=ids)
    } == {(user, "+")}


def test_insert_rows_reads_a_generator_in_batches_and_new_ids_follow_the_old(holding):
    before = Responsibility.objects.create(holding=holding, name="甲")
    rows = ((holding.pk, n, f"名{n}") for n in range(1, 8))

    with transaction.atomic():
        ids = bulk.insert_rows(Responsibility, ["holding", "seq", "name"], rows, batch_size=3)

    assert ids == list(range(before.pk + 1, before.pk + 8))
    assert list(Responsibility.objects.filter(pk__in=ids).values_list("name", flat=True)) == [
        f"名{n}" for n in range(1, 8)
    ]
    assert not Responsibility.history.filter(id__in=ids).exists()  # none asked for


def test_insert_rows_refuses_a_pk_column_and_an_unknown_column(holding):
    with pytest.raises(ValueError, match="pk"):
        bulk.insert_rows(Responsibility, ["id", "name"], [(1, "甲")])
    with pytest.raises(ValueError, match="no field 'colour'"):
        bulk.insert_rows(Responsibility, ["colour"], [("red",)])


def test_datetimes_are_adapted_for_the_driver_and_missing_history_fields_defaulted():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    User = get_user_model()
    when = timezone.now().replace(microsecond=0)
    columns = ["username", "password", "date_joined", "email", "first_name", "last_name"]
    columns += ["is_staff", "is_active", "is_superuser"]

    with transaction.atomic():
        (pk,) = bulk.insert_rows(
            User,
            columns,
            [("甲", "!", when, "", "", "", False, True, False)],
            history=bulk.History(by=None, reason="r"),
        )

    user = User.objects.get(pk=pk)
    assert (user.username, user.date_joined) == ("甲", when)
    assert user.history.get().date_joined == when


def test_create_with_history_writes_what_bulk_create_with_history_writes(holding):
    user = make_user()
    mine = [Responsibility(holding=holding, seq=1, name="司馬遷", role="撰")]
    theirs = [Responsibility(holding=holding, seq=2, name="裴駰", role="集解")]

    with transaction.atomic():
        bulk.create_with_history(mine, by=user, reason="r")
    (theirs,) = bulk_create_with_history(
        theirs, Responsibility, default_user=user, default_change_reason="r"
    )

    skip_seq = lambda d: {k: v for k, v in d.items() if k not in ("seq", "name", "role")}  # noqa: E731
    assert mine[0].pk is not None
    assert skip_seq(values(mine[0].history.get())) == skip_seq(values(theirs.history.get()))
    assert Responsibility.objects.get(pk=mine[0].pk).name == "司馬遷"


def test_a_failure_midway_leaves_nothing_when_the_caller_is_atomic(holding):
    def rows():
        yield (holding.pk, 1, "甲")
        yield (holding.pk, 2, "乙")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError), transaction.atomic():
        bulk.insert_rows(
            Responsibility,
            ["holding_id", "seq", "name"],
            rows(),
            batch_size=1,
            history=bulk.History(by=None, reason="r"),
        )

    assert not Responsibility.objects.filter(name__in=["甲", "乙"]).exists()
    assert not Responsibility.history.filter(name__in=["甲", "乙"]).exists()
