"""The repair archive (修复档案) of one plan as a PDF, laid out in parts.

The text (identification, before-repair record, plan and revisions, materials, log, after-repair
record, acceptance, signatures) is one part; the before/after pairs follow in parts of
``PAIRS_PER_PART`` pairs, each laid out and written on its own, so that only one part's
photographs (previews, never originals) are in memory at a time. The parts are joined with
guji.files.documents; characters the fonts lack are reported, never printed as boxes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conservation import images as repair_images
from conservation.models import (
    ACCEPTANCE_CRITERIA,
    ArchiveJob,
    RepairLog,
    RepairPlan,
)
from conservation.services import current_damage, plan_totals
from guji.files import documents, jobs

PAIRS_PER_PART = 8


@dataclass(frozen=True)
class ArchiveResult:
    pages: int
    pairs: int
    missing_glyphs: list[dict[str, str]]


def _stylesheet() -> Path:
    return Path(finders.find("conservation/archive.css"))


def _image_path(name: str, scratch: Path) -> str:
    """A file path WeasyPrint can read: the stored file itself, or a copy for remote storage."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        target = scratch / name.replace("/", "_")
        with default_storage.open(name, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return str(target)


def text_context(plan: RepairPlan) -> dict:
    from conservation.views import plan_history

    holding = plan.holding
    logs = list(plan.logs.select_related("conservator").prefetch_related("operations", "materials"))
    batches = sorted({b for log in logs for b in log.materials.all()}, key=lambda b: b.batch_code)
    assessment = plan.assessment
    after = (
        holding.assessments.filter(created_at__gt=plan.planned_at)
        .select_related("scheme", "assessed_by")
        .prefetch_related("findings__damage_type", "scheme__levels")
        .first()
    )
    acceptances = list(plan.acceptances.select_related("inspector", "result"))
    criteria = dict(ACCEPTANCE_CRITERIA)
    return {
        "plan": plan,
        "holding": holding,
        "assessment": assessment,
        "findings": list(assessment.findings.select_related("damage_type")) if assessment else [],
        "after": after,
        "current": current_damage(holding),
        "operations": list(plan.operations.all()),
        "conservators": list(plan.conservators.all()),
        "revisions": plan_history(plan),
        "logs": logs,
        "totals": plan_totals(plan),
        "batches": batches,
        "acceptances": [(a, [str(criteria.get(c, c)) for c in a.criteria]) for a in acceptances],
        "today": timezone.localdate(),
        "pair_count": len(repair_images.pairs(plan)),
    }


def build_archive(
    plan: RepairPlan,
    out: Path | IO[bytes],
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ArchiveResult:
    """Write the archive of ``plan`` to ``out``; ``progress(done, total)`` after each part."""
    plan = (
        RepairPlan.objects.select_related(
            "holding",
            "holding__institution",
            "holding__binding",
            "planned_by",
            "approved_by",
            "assessment",
            "assessment__scheme",
            "assessment__assessed_by",
        )
        .prefetch_related(Prefetch("logs", queryset=RepairLog.objects.order_by("worked_on")))
        .get(pk=plan.pk)
    )
    documents.check_fonts()
    glyphs = documents.GlyphCheck()
    pairs = repair_images.pairs(plan)
    chunks = [pairs[i : i + PAIRS_PER_PART] for i in range(0, len(pairs), PAIRS_PER_PART)]
    total = 1 + len(chunks)
    pages = 0
    with translation.override("zh-hans"), tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        parts = []
        html = render_to_string("conservation/archive/text.html", text_context(plan))
        glyphs.check(_visible_text(html), where=_("text"))
        part = scratch / "part-0.pdf"
        pages += documents.write_part(
            documents.render_html(html, stylesheets=[_stylesheet()]), part
        )
        parts.append(part)
        progress(1, total)
        for n, chunk in enumerate(chunks, start=1):
            rows = []
            for pair in chunk:
                for image in (pair.before, pair.after):
                    repair_images.make_derivatives(image.original)
                rows.append(
                    {
                        "pair": pair,
                        "before": _image_path(
                            repair_images.variant_name(pair.before, "preview"), scratch
                        ),
                        "after": _image_path(
                            repair_images.variant_name(pair.after, "preview"), scratch
                        ),
                    }
                )
            html = render_to_string(
                "conservation/archive/pairs.html",
                {"plan": plan, "rows": rows, "first": n == 1},
            )
            glyphs.check(_visible_text(html), where=_("photographs"))
            document = documents.render_html(html, stylesheets=[_stylesheet()], base_url=tmp)
            part = scratch / f"part-{n}.pdf"
            pages += documents.write_part(document, part)
            del document
            parts.append(part)
            progress(1 + n, total)
        title = f"{_('Repair archive')} · {plan.holding.title_juan}"
        documents.join_pdfs(parts, out, title=title)
    return ArchiveResult(pages, len(pairs), glyphs.report(where_key="where"))


def _visible_text(html: str) -> str:
    """What the PDF will show: the text between the tags, entities decoded, without spaces."""
    import html as html_lib
    import re

    body = html.split("<body>", 1)[-1]
    return re.sub(r"\s+", "", html_lib.unescape(re.sub(r"<[^>]+>", "", body)))


def run_archive_job(job_id: int) -> None:
    job = ArchiveJob.objects.select_related("plan").get(pk=job_id)
    if not jobs.start(job):
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "archive.pdf"
            result = build_archive(
                job.plan, path, progress=lambda done, total: jobs.progress(job, done, total)
            )
            with open(path, "rb") as f:
                from django.core.files import File

                jobs.finish(
                    job,
                    content=File(f),
                    filename=f"repair-archive-{job.plan_id}.pdf",
                    missing_glyphs=result.missing_glyphs,
                )
    except Exception as exc:
        import logging

        logging.getLogger(__name__).exception("repair archive %s failed", job.pk)
        jobs.fail(job, exc)
