"""PDFs and stored files for graded protection.

``render_pdf`` is the one place this app calls WeasyPrint; when the shared documents module
lands in guji/ (fonts, glyph check), only this function changes.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string

STYLESHEET = Path(__file__).resolve().parent / "static" / "protection" / "dossier.css"


def render_pdf(template: str, context: dict, *, stylesheet: Path = STYLESHEET) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.MEDIA_ROOT) + "/").write_pdf(
        stylesheets=[CSS(filename=str(stylesheet))]
    )


def file_response(name: str, *, as_attachment: bool) -> HttpResponse:
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=as_attachment, filename=name.rsplit("/", 1)[-1])
