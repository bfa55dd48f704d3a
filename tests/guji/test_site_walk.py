"""Walk the site as each role would: from the home page, follow every link and pager link.

Nothing here lists the pages: whatever the pages link to is walked, so a page or link added
later is walked too. Per role the walk is bounded (a few hops from home, a few URLs per URL
name, so that 30 holdings do not mean 30 visits to the same view). On the way:

* no page answers 5xx;
* a "next" link (rel="next") keeps every parameter but ``page`` and shows other rows (the next
  record within results, ``at=``, is walked as a link);
* every GET form on a page, submitted as it stands (its current values), renders.
"""

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.census.workflow_factories import make_campaign, make_entry
from tests.factories import make_holding
from tests.guji.conftest import ROLE_USERS

pytestmark = pytest.mark.django_db

HOPS = 3  # from home
PER_NAME = 3  # URLs walked per URL name (and query-string shape)
NOT_WALKED = ("/admin/", "/i18n/", "/logout/", "/static/", "/media/")


class _Page(HTMLParser):
    """The links, pager links and GET forms of a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.next_links: list[str] = []
        self.row_links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._tbody = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if "next" in (a.get("rel") or "").split():
                self.next_links.append(a["href"])
            if self._tbody:
                self.row_links.append(a["href"])
        elif tag == "li" and a.get("id"):
            self.row_links.append(f"#{a['id']}")  # an entry of a paged list (the timeline)
        elif tag == "tbody":
            self._tbody += 1
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action")}
            self._form["fields"] = []
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._form["fields"].append((a["name"], a.get("value") or ""))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].append((a["name"], None))  # filled by the selected option
        elif self._form is not None and tag == "option" and self._select:
            fields = self._form["fields"]
            name, value = fields[-1]
            if value is None or "selected" in a:
                fields[-1] = (name, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._tbody -= 1
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _shape(url: str) -> tuple:
    """Which view and which query parameters: URLs of one shape are walked PER_NAME times."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({k for k, _v in parse_qsl(parts.query)}))


def _internal(base: str, href: str) -> str | None:
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme and parts.netloc not in ("", "testserver"):
        return None
    if parts.path.startswith(NOT_WALKED):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


POSITION = {"page"}  # where in the list


def _params(url: str) -> dict:
    return {
        k: v for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True) if k not in POSITION
    }


@pytest.fixture
def busy_world(world, settings, tmp_path):
    """Enough rows that lists have several pages, and records at every step of the census."""
    settings.GUJI_PAGE_SIZE = 5
    settings.MEDIA_ROOT = tmp_path / "media"
    make_campaign(world.institution_a)
    for i in range(12):
        make_holding(world.institution_a, title_juan=f"松雲堂詩集{i + 1}卷")
    for status in ("submitted", "returned", "registered"):
        make_entry(status, institution=world.institution_a)
    return world


def _walk(client, start: str = "/", hops_left: int = HOPS) -> dict:
    seen: set[str] = set()
    per_shape: Counter = Counter()
    queue = deque([(start, 0)])
    report = {"pages": 0, "next_links": 0, "forms": 0, "errors": []}
    while queue:
        url, hops = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        report["pages"] += 1
        if response.status_code >= 500:
            report["errors"].append(f"{url}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        page = _parse(response.content.decode())
        for href in page.next_links:
            next_url = _internal(url, href)
            if next_url and "at" in dict(parse_qsl(urlsplit(next_url).query)):
                page.links.append(href)  # the next record within results: walked like a link
                continue
            _check_next(client, url, page, next_url, report)
            if next_url and report["next_links"] <= 10 * PER_NAME:
                queue.append((next_url, hops))  # pagers are walked on, whatever the hops
        for form in page.forms:
            if form["method"] == "get":
                _check_form(client, url, form, report)
        if hops >= hops_left:
            continue
        for href in page.links:
            target = _internal(url, href)
            if target is None or target in seen:
                continue
            shape = _shape(target)
            if per_shape[shape] >= PER_NAME:
                continue
            per_shape[shape] += 1
            queue.append((target, hops + 1))
    return report


def _check_next(client, url: str, page: _Page, next_url: str | None, report: dict) -> None:
    report["next_links"] += 1
    if next_url is None:
        report["errors"].append(f"{url}: its next link leaves the site")
        return
    if _params(next_url) != _params(url):
        report["errors"].append(f"{url}: next ({next_url}) drops or changes the filters")
    response = client.get(next_url)
    if response.status_code != 200:
        report["errors"].append(f"{next_url}: {response.status_code}")
        return
    following = _parse(response.content.decode())
    if not page.row_links or following.row_links == page.row_links:
        report["errors"].append(f"{url}: next ({next_url}) shows the same rows")


def _check_form(client, url: str, form: dict, report: dict) -> None:
    report["forms"] += 1
    action = _internal(url, form["action"] or url)
    if action is None:
        return
    query = urlencode([(k, v) for k, v in form["fields"] if v is not None])
    response = client.get(f"{urlsplit(action).path}?{query}")
    if response.status_code >= 400:
        report["errors"].append(f"{url}: its form ({action}?{query}) gave {response.status_code}")


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_page_a_role_reaches_works(busy_world, client, role):
    client.force_login(busy_world.users[role])

    report = _walk(client)

    assert report["errors"] == []
    assert report["pages"] > 5, report  # the walk went somewhere


@pytest.mark.parametrize("role", ["cataloguer_a", "centre_admin"])
def test_the_walk_pages_through_a_filtered_list(busy_world, client, role):
    client.force_login(busy_world.users[role])

    report = _walk(client, "/holdings/?q=松云", hops_left=0)

    assert report["errors"] == []
    assert report["next_links"] >= 2  # the filtered list has 3 pages of 5


def test_the_walk_catches_a_pager_that_loses_the_filter(busy_world, client, monkeypatch):
    """The check itself: a "next" link that drops ``q`` is reported."""
    client.force_login(busy_world.users["cataloguer_a"])
    page = _parse(client.get("/holdings/?q=松云").content.decode())
    report = {"next_links": 0, "errors": []}

    _check_next(client, "/holdings/?q=松云", page, "/holdings/?page=2", report)

    assert report["errors"] and "drops or changes the filters" in report["errors"][0]
