"""``manage.py import_holdings``: the web's import function, exit codes and a JSON report.

A CommandError carries the process's exit status (``returncode``), which
``BaseCommand.run_from_argv`` passes to ``sys.exit``; the tests read it from the exception.
"""

import json

import pytest
from django.core.management import CommandError, call_command

from guji.models import Holding, RoleAssignment
from tests.census.import_files import row, xlsx
from tests.factories import make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture
def institution():
    return make_institution(code="0101")


@pytest.fixture
def cataloguer(institution):
    return make_user(Role.CATALOGUER, institution, username="lin")


def command(path, *extra, report=None):
    args = [str(path), "--institution", "0101", "--user", "lin", *extra]
    if report:
        args += ["--report", str(report)]
    call_command("import_holdings", *args)


def test_import_exits_zero_and_reports_counts(tmp_path, cataloguer, capsys):
    path = xlsx(tmp_path / "h.xlsx", [row(), row(call_number="善002")])

    command(path, report=tmp_path / "out.json")

    assert Holding.objects.count() == 2
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert (data["outcome"], data["counts"]["create"], data["problems"]) == ("imported", 2, [])
    assert "h.xlsx 已导入" in capsys.readouterr().out
    version = Holding.objects.get(call_number="善101").history.get()
    assert (version.history_user, version.history_change_reason) == (cataloguer, "导入 h.xlsx")


def test_dry_run_exits_zero_and_writes_nothing(tmp_path, cataloguer):
    path = xlsx(tmp_path / "h.xlsx", [row()])

    command(path, "--dry-run", report=tmp_path / "out.json")

    assert not Holding.objects.exists()
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert (data["outcome"], data["dry_run"]) == ("would_import", True)
    assert data["rows"] == [
        {
            "row": 2,
            "action": "create",
            "call_number": "善101",
            "title_juan": "史記一百三十卷",
            "holding": None,
            "changes": [],
            "clears": [],
        }
    ]


def test_rejected_file_exits_one_and_the_report_lists_every_problem(tmp_path, cataloguer, capsys):
    path = xlsx(
        tmp_path / "h.xlsx",
        [row(volumes="零"), row(call_number="善002"), row(call_number="善002", binding="胶装")],
    )

    with pytest.raises(CommandError) as raised:
        command(path, report=tmp_path / "out.json")

    assert raised.value.returncode == 1
    assert not Holding.objects.exists()
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [(p["row"], p["column"], p["value"]) for p in data["problems"]] == [
        (2, "册数", "零"),
        (4, "索书号", "善002"),
        (4, "装帧", "胶装"),
    ]
    assert all(set(p) >= {"row", "column", "value", "message"} for p in data["problems"])
    assert "2, 册数: 册数须为" in capsys.readouterr().err


def test_dry_run_of_a_bad_file_exits_one(tmp_path, cataloguer):
    path = tmp_path / "h.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError) as raised:
        command(path, "--dry-run")

    assert raised.value.returncode == 1


def test_conflicts_exit_one_unless_update_is_given(tmp_path, cataloguer):
    command(xlsx(tmp_path / "a.xlsx", [row()]))
    changed = xlsx(tmp_path / "b.xlsx", [row(volumes="25")])

    with pytest.raises(CommandError) as raised:
        command(changed, report=tmp_path / "out.json")
    assert raised.value.returncode == 1
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert data["problems"][0]["kind"] == "conflict"

    command(changed, "--update")

    holding = Holding.objects.get()
    assert holding.volumes == 25
    assert holding.history.first().history_change_reason == "导入 b.xlsx"


def test_unknown_institution_user_or_file_and_missing_rights_are_errors(tmp_path, cataloguer):
    path = xlsx(tmp_path / "h.xlsx", [row()])
    make_user(Role.REVIEWER, username="rev")
    make_institution(code="0202")

    for args in (
        [str(path), "--institution", "9999", "--user", "lin"],
        [str(path), "--institution", "0101", "--user", "nobody"],
        [str(tmp_path / "missing.xlsx"), "--institution", "0101", "--user", "lin"],
        [str(path), "--institution", "0101", "--user", "rev"],
        [str(path), "--institution", "0202", "--user", "lin"],
    ):
        with pytest.raises(CommandError):
            call_command("import_holdings", *args)
    assert not Holding.objects.exists()
