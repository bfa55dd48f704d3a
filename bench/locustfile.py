"""What 50 people do to Guji at once: bench/load.py runs this with locust against gunicorn.

Cataloguers list, filter, search, open records and timelines, and submit drafts for review;
reviewers work through the queue and accept entries. Every user logs in once, as a person would.
The ids to work on come from GUJI_LOAD_IDS (a JSON file bench/load.py writes from the database).
"""

import json
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path

from gevent.event import Event
from locust import HttpUser, between, task

IDS = json.loads(Path(os.environ["GUJI_LOAD_IDS"]).read_text(encoding="utf-8"))
# With GUJI_LOAD_STEADY=N, every user waits after logging in until all N have, and the figures
# start from that moment: the census at work, without the first minute's 50 logins (PBKDF2).
STEADY_USERS = int(os.environ.get("GUJI_LOAD_STEADY") or 0)
_logged_in = {"n": 0}
_everyone_in = Event()
PASSWORD = "guji-demo"
SEARCHES = ["史記", "论语", "刻本", "清", "明嘉靖", "杜詩", "集註", "文選"]


class _Forms(HTMLParser):
    """The hidden inputs of each form on a page (csrf token, versions…), by form action."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attrs.get("action") or "", {})
        elif tag == "input" and self._current is not None and attrs.get("type") == "hidden":
            self._current[attrs.get("name") or ""] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def hidden_fields(html: str, action: str) -> dict[str, str] | None:
    """The hidden fields of the form posting to ``action`` (``action=""`` posts to the page
    itself), or None when the page offers no such form to this user."""
    parser = _Forms()
    parser.feed(html)
    if action in parser.forms:
        return parser.forms[action]
    return parser.forms.get("")


class _Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    username = ""

    def on_start(self):
        page = self.client.get("/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "next": "/",
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/login/"},
            name="login",
        )
        if STEADY_USERS:
            _logged_in["n"] += 1
            if _logged_in["n"] >= STEADY_USERS:
                self.environment.stats.reset_all()
                _everyone_in.set()
            _everyone_in.wait()

    def post_form(self, page_url: str, action: str, data: dict, name: str):
        page = self.client.get(page_url, name=f"{name} (form)")
        fields = hidden_fields(page.text, action)
        with self.client.post(
            action,
            {**fields, **data},
            headers={"Referer": self.host + page_url},
            name=name,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code in (302, 303):
                response.success()
            elif response.status_code == 403:
                response.failure(f"403: {response.text[:300]}")
            elif response.status_code == 200:
                response.failure("form refused")  # the form came back with errors


class Cataloguer(_Person):
    weight = 4

    def on_start(self):
        self.username = random.choice(IDS["cataloguers"])
        self.mine = IDS["holdings"][self.username]
        super().on_start()

    @task(4)
    def holding_list(self):
        self.client.get(f"/holdings/?page={random.randint(1, 3)}", name="list")

    @task(3)
    def filtered_list(self):
        status = random.choice(["draft", "submitted", "registered", "returned"])
        self.client.get(f"/holdings/?status={status}", name="filter")

    @task(3)
    def search(self):
        self.client.get("/holdings/", params={"q": random.choice(SEARCHES)}, name="search")

    @task(4)
    def detail(self):
        self.client.get(f"/holdings/{random.choice(self.mine)}/", name="detail")

    @task(2)
    def timeline(self):
        self.client.get(f"/holdings/{random.choice(self.mine)}/timeline/", name="timeline")

    @task(1)
    def submit(self):
        drafts = IDS["drafts"].get(self.username) or []
        if not drafts:
            return
        pk = drafts.pop()
        self.post_form(f"/holdings/{pk}/", f"/census/holdings/{pk}/submit/", {}, "submit")


class Reviewer(_Person):
    weight = 1
    username = "reviewer"

    @task(3)
    def queue(self):
        self.client.get("/census/review/", name="review queue")

    @task(1)
    def review(self):
        if not IDS["submitted"]:
            return
        pk = IDS["submitted"].pop()
        url = f"/census/holdings/{pk}/review/"
        self.post_form(url, url, {"decision": "accept"}, "review")
