"""PDFs and stored files for graded protection, on the shared ``guji.files`` modules."""

from pathlib import Path

from django.http import HttpRequest, HttpResponse

from guji.files import documents
from guji.files.downloads import file_response as _send

STYLESHEET = Path(__file__).resolve().parent / "static" / "protection" / "dossier.css"


def render_pdf(html: str, *, stylesheet: Path = STYLESHEET) -> tuple[bytes, list[dict]]:
    """The PDF of ``html`` and the characters the CJK fonts cannot draw (a bug to show)."""
    from io import BytesIO

    glyphs = documents.GlyphCheck()
    glyphs.check(html, where="dossier")
    out = BytesIO()
    documents.write_part(documents.render_html(html, stylesheets=[stylesheet]), out)
    return out.getvalue(), glyphs.report()


def file_response(
    request: HttpRequest, name: str, *, allowed: bool, content_type: str, as_attachment: bool
) -> HttpResponse:
    return _send(
        request,
        name,
        allowed=allowed,
        content_type=content_type,
        filename=name.rsplit("/", 1)[-1],
        as_attachment=as_attachment,
    )
