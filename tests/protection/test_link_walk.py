"""Every link graded protection and supervision show a user opens for that user (no 403/404):
a page never offers what the server would refuse."""

import re
from collections import deque

import pytest
from django.urls import reverse

from guji.protection import services
from tests.factories import make_holding, make_institution, make_user
from tests.guji.conftest import Role
from tests.protection.factories import (
    make_action,
    make_application_photo,
    make_assessment,
    make_list,
    make_proposal,
)

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/(?:protection|supervision|holdings)/[^"#?]*)"')


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a, b = make_institution(), make_institution()
    holding = make_holding(a, edition_statement="明嘉靖刻本")
    make_proposal(holding)
    batch = make_list()
    services.add_listing(batch, holding=make_holding(b), number=1, by=None, reason="公布")
    make_application_photo(holding)
    make_assessment(a)
    make_action(a)
    return {
        "cataloguer": make_user(Role.CATALOGUER, a),
        "manager": make_user(Role.MANAGER, a),
        "cataloguer_b": make_user(Role.CATALOGUER, b),
        "reviewer": make_user(Role.REVIEWER),
        "conservator": make_user(Role.CONSERVATOR),
        "centre_admin": make_user(Role.CENTRE_ADMIN),
        "provincial": make_user(Role.PROVINCIAL),
    }


@pytest.mark.parametrize(
    "who",
    [
        "cataloguer",
        "manager",
        "cataloguer_b",
        "reviewer",
        "conservator",
        "centre_admin",
        "provincial",
    ],
)
def test_every_link_shown_opens(client, world, who):
    client.force_login(world[who])
    start = [reverse("protection:proposal_list"), reverse("supervision:inspection_list")]
    seen, queue, opened = set(start), deque(start), 0
    while queue and opened < 150:
        url = queue.popleft()
        response = client.get(url)
        opened += 1
        assert response.status_code == 200, f"{who} was shown {url} but got {response.status_code}"
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in HREF.findall(response.content.decode()):
            if link not in seen and "/timeline/" not in link:
                seen.add(link)
                queue.append(link)
    assert opened > 5
