"""guji.notifications: the shared inbox and e-mail any app notifies users through."""

import pytest
from django.core import mail
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from guji.models import Notification
from guji.notifications import notify, notify_all
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def huey_immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_a_notification_is_in_the_inbox_with_an_unread_count(world, client):
    user = world.users["cataloguer_a"]
    notify(user, "退回：史記一百三十卷", body="请核对卷数", url="/holdings/1/")
    client.force_login(user)

    page = client.get(reverse("inbox"))

    assert page.context["nav"]["unread"] == 1
    assert "退回：史記一百三十卷" in page.content.decode()
    assert 'class="unread"' in page.content.decode()


def test_opening_a_message_marks_it_read_and_follows_its_link(world, client):
    user = world.users["cataloguer_a"]
    message = notify(user, "退回", url=reverse("holding_list"))
    client.force_login(user)

    response = client.get(reverse("inbox_open", args=[message.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("holding_list")
    message.refresh_from_db()
    assert message.read_at is not None
    assert client.get(reverse("home")).context["nav"]["unread"] == 0


def test_mark_all_read(world, client):
    user = world.users["reviewer"]
    notify_all([user, user], "新提交")  # once each
    notify(user, "更正申请")
    client.force_login(user)

    client.post(reverse("inbox_read"))

    assert Notification.objects.filter(user=user).count() == 2
    assert not Notification.objects.filter(user=user, read_at=None).exists()


def test_a_user_with_an_address_also_gets_an_email(
    world, huey_immediate, django_capture_on_commit_callbacks
):
    with_address = make_user(email="lin@example.org")
    without = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        notify(with_address, "退回：漢書一百卷", body="请核对", url="/holdings/7/")
        notify(without, "退回：漢書一百卷")

    assert [m.to for m in mail.outbox] == [["lin@example.org"]]
    assert mail.outbox[0].subject == "退回：漢書一百卷"
    assert "/holdings/7/" in mail.outbox[0].body
    assert Notification.objects.get(user=with_address).emailed


def test_a_rolled_back_change_sends_no_email(
    world, huey_immediate, django_capture_on_commit_callbacks
):
    from django.db import transaction

    user = make_user(email="lin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(user, "退回")
                raise RuntimeError
        except RuntimeError:
            pass

    assert mail.outbox == []
