"""Vocabulary tables loaded from the domain reference copied into guji/data/.

Loading adds only the codes a table lacks: what the centre administrator corrected in the admin
is never overwritten by a later migrate.
"""

import csv
from pathlib import Path

from simple_history.utils import bulk_create_with_history

DATA = Path(__file__).resolve().parent / "data"
REASON = "从领域参考数据载入（guji/data/{file}）"


def _rows(filename: str) -> list[dict[str, str]]:
    with open(DATA / filename, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sync_vocabularies() -> dict[str, int]:
    from guji.models import AuthorRole, Binding, EditionType, SibuClass

    added = {}
    specs = [
        (
            SibuClass,
            "sibu.csv",
            lambda i, r: SibuClass(
                code=r["code"],
                name=r["class"] or r["bu"],
                trad=r["trad_class"],
                bu=r["bu"],
                level=int(r["level"] or 2),
                description=r["note"],
                position=i,
            ),
        ),
        (
            Binding,
            "binding.csv",
            lambda i, r: Binding(
                code=r["code"],
                name=r["name"],
                trad=r["trad"],
                description=r["description"],
                position=i,
            ),
        ),
        (
            AuthorRole,
            "roles.csv",
            lambda i, r: AuthorRole(
                code=r["code"],
                name=r["name"],
                trad=r["trad"],
                english=r["english"],
                description=r["description"],
                position=i,
            ),
        ),
        (
            EditionType,
            "edition_types.csv",
            lambda i, r: EditionType(
                code=r["code"],
                name=r["name"],
                trad=r["trad"],
                description=r["description"],
                is_guji=r["is_guji_edition_type"] in ("yes", "pre-1912 only"),
                position=i,
            ),
        ),
    ]
    for model, filename, build in specs:
        rows = _rows(filename)
        have = set(model.objects.values_list("code", flat=True))
        new = [build(i, r) for i, r in enumerate(rows) if r["code"] not in have]
        if new:
            bulk_create_with_history(new, model, default_change_reason=REASON.format(file=filename))
        added[model.__name__] = len(new)
    _link_edition_type_parents(_rows("edition_types.csv"))
    return added


def _link_edition_type_parents(rows: list[dict[str, str]]) -> None:
    from guji.models import EditionType

    by_code = {t.code: t for t in EditionType.objects.all()}
    for r in rows:
        child, parent = by_code.get(r["code"]), by_code.get(r.get("parent") or "")
        if child and parent and child.parent_id is None:
            child._change_reason = REASON.format(file="edition_types.csv")
            child.parent = parent
            child.save(update_fields=["parent"])
