"""Two people open one holding; the first saves, then the second: the second is refused with what
the first changed, and keeps their own input. Nothing of the first person's edit is lost."""

import pytest
from django.urls import reverse

from guji.concurrency import StaleEdit, changes_since, current_version
from guji.services import update_holding
from tests.factories import make_holding

pytestmark = pytest.mark.django_db


def _form_data(client, holding) -> dict:
    form = client.get(reverse("holding_edit", args=[holding.pk])).context["form"]
    return {
        name: "" if value is None else getattr(value, "pk", value)
        for name, value in ((f.name, form[f.name].value()) for f in form)
    }


def test_the_second_save_of_a_stale_form_is_refused_and_shows_the_first(world, client):
    holding = make_holding(world.institution_a, title_juan="史記一百三十卷", notes="")
    client.force_login(world.users["cataloguer_a"])
    first, second = _form_data(client, holding), _form_data(client, holding)
    first.update(notes="卷一首葉缺", reason="核对原书")
    assert client.post(reverse("holding_edit", args=[holding.pk]), first).status_code == 302

    client.force_login(world.users["manager_a"])
    second.update(storage_location="善本库甲架", reason="上架")
    response = client.post(reverse("holding_edit", args=[holding.pk]), second)

    assert response.status_code == 409
    page = response.content.decode()
    assert "卷一首葉缺" in page  # what the other person changed is shown
    assert 'value="善本库甲架"' in page  # and this user's input is kept
    holding.refresh_from_db()
    assert holding.notes == "卷一首葉缺"
    assert holding.storage_location != "善本库甲架"


def test_saving_again_after_seeing_the_changes_goes_through(world, client):
    holding = make_holding(world.institution_a, notes="")
    client.force_login(world.users["cataloguer_a"])
    first, second = _form_data(client, holding), _form_data(client, holding)
    first.update(notes="卷一首葉缺", reason="核对原书")
    client.post(reverse("holding_edit", args=[holding.pk]), first)
    second.update(storage_location="善本库甲架", reason="上架")
    refused = client.post(reverse("holding_edit", args=[holding.pk]), second)
    again = {**second, "version": refused.context["form"].data["version"]}

    response = client.post(reverse("holding_edit", args=[holding.pk]), again)

    assert response.status_code == 302
    holding.refresh_from_db()
    assert holding.storage_location == "善本库甲架"


def test_the_domain_refuses_a_stale_version_and_names_the_change(world):
    holding = make_holding(world.institution_a, notes="")
    read = current_version(holding)
    update_holding(holding, data={"notes": "新"}, by=world.users["cataloguer_a"], reason="一")

    with pytest.raises(StaleEdit) as refused:
        update_holding(
            holding,
            data={"notes": "旧"},
            by=world.users["manager_a"],
            reason="二",
            expected_version=read,
        )

    [change] = refused.value.changes
    assert change.user == world.users["cataloguer_a"]
    assert [(f.field, f.old, f.new) for f in change.fields] == [("notes", "", "新")]
    holding.refresh_from_db()
    assert holding.notes == "新"


def test_a_current_version_saves(world):
    holding = make_holding(world.institution_a, notes="")

    update_holding(
        holding,
        data={"notes": "新"},
        by=world.users["cataloguer_a"],
        reason="一",
        expected_version=current_version(holding),
    )

    assert changes_since(holding, current_version(holding)) == []
