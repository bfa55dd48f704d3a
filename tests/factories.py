"""Plain functions that build valid rows for tests."""

from itertools import count

from guji.cataloguing import parse_statements
from guji.models import Holding, Institution, User
from guji.permissions import grant_role
from guji.services import create_holding

_seq = count(1)


def make_institution(**fields) -> Institution:
    n = next(_seq)
    values = {
        "name": f"测试图书馆{n}",
        "code": f"{n % 10000:04d}",
        "region_code": "330000",
        "type": Institution.Type.LIBRARY,
    }
    values.update(fields)
    return Institution.objects.create(**values)


def make_user(role: str | None = None, institution: Institution | None = None, **fields) -> User:
    """A user holding ``role`` (at ``institution`` for institution roles)."""
    n = next(_seq)
    user = User.objects.create_user(
        username=fields.pop("username", f"user{n}"),
        password=fields.pop("password", "pw"),
        **fields,
    )
    if role:
        grant_role(user, role, institution=institution, by=None, reason="测试")
    return user


def make_holding(
    institution: Institution | None = None, *, by: User | None = None, **data
) -> Holding:
    n = next(_seq)
    authors = data.pop("authors", "（漢）司馬遷撰")
    values = {
        "call_number": f"善{n:04d}",
        "title_juan": "史記一百三十卷",
        "edition_statement": "清乾隆四年（1739）武英殿刻本",
        "volumes": 24,
    }
    values.update(data)
    return create_holding(
        institution=institution or make_institution(),
        data=values,
        statements=parse_statements(authors),
        by=by,
        reason=data.get("reason", "测试数据"),
    )
