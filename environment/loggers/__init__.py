"""Read the export files of real data loggers into readings.

    from environment.loggers import parse, FORMATS, LoggerFileError
    logger_file = parse(data, "store3.csv")          # format detected from the content
    logger_file = parse(data, "store3.csv", fmt="hoboware")

``parse`` returns a ``LoggerFile`` (format key and label, the file's zone or None, the logger's
serial or "", readings in time order, problems) or raises ``LoggerFileError`` when the file is
refused as a whole. A bad line is skipped and reported; the rest of the file is kept (see
``core`` for the policy and docs/environment.md for the formats).
"""

from __future__ import annotations

import gc

from django.utils.translation import gettext as _

from .core import LoggerFile, LoggerFileError, Problem, Reading, build
from .formats import ALL, BY_KEY, Source, recognised

__all__ = ["FORMATS", "LoggerFile", "LoggerFileError", "Problem", "Reading", "parse"]

FORMATS = {f.key: f.label for f in ALL}


def parse(data: bytes, filename: str, fmt: str = "auto") -> LoggerFile:
    """Parse one logger export file (CSV/TXT in any of the known formats, or .xlsx/.xls)."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise LoggerFileError(_("%(file)s: the file is empty.") % {"file": filename})
    src = Source(data, filename)
    if fmt and fmt != "auto":
        if fmt not in BY_KEY:
            raise LoggerFileError(
                _("Unknown format %(fmt)r; known formats: %(known)s.")
                % {"fmt": fmt, "known": ", ".join(BY_KEY)}
            )
        chosen = BY_KEY[fmt]
    else:
        chosen = next((f for f in ALL if f.signature(src)), None)
        if chosen is None:
            raise LoggerFileError(
                _("%(file)s is in no known logger format. Recognised: %(what)s.")
                % {"file": filename, "what": recognised(src)}
            )
    collecting = gc.isenabled()
    gc.disable()  # millions of readings: the cyclic collector would otherwise dominate
    try:
        layout = chosen.layout(src)
        return build(chosen.key, str(chosen.label), layout)
    except LoggerFileError as exc:
        message = _("%(file)s (%(format)s): %(reason)s") % {
            "file": filename,
            "format": chosen.label,
            "reason": exc.message,
        }
        raise LoggerFileError(message, exc.problems) from None
    finally:
        if collecting:
            gc.enable()
