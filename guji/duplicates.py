"""Likely duplicates: another record of the same institution with the same title, 卷数 and edition,
compared as search compares them (繁/简 and variant characters alike)."""

from django.db.models import QuerySet

from guji.cataloguing import parse_title_juan, search_key
from guji.models import Holding


def duplicate_key(title: str, juan_count: int | None, edition: str) -> tuple:
    return (search_key(title or "").strip(), juan_count, search_key(edition or "").strip())


def likely_duplicates(
    institution_id: int, *, title_juan: str, title: str = "", juan_count=None, edition: str = ""
) -> list[Holding]:
    """Records of the institution that look like the one about to be saved (one query)."""
    if not title or juan_count is None:
        parsed_title, parsed_juan = parse_title_juan(title_juan or "")
        title = title or parsed_title
        juan_count = parsed_juan if juan_count is None else juan_count
    if not title:
        return []
    wanted = duplicate_key(title, juan_count, edition)
    candidates: QuerySet = Holding.objects.filter(
        institution_id=institution_id, juan_count=juan_count, search_key__contains=wanted[0]
    ).only("id", "title", "juan_count", "edition_statement", "call_number", "title_juan")
    return [
        h
        for h in candidates[:50]
        if duplicate_key(h.title, h.juan_count, h.edition_statement) == wanted
    ]
