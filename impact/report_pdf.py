"""The annual report as a PDF: the page's own template rendered by WeasyPrint.

Decision (issue 7): WeasyPrint, not printing the page with the system Chromium. It is a Python package
(pinned in pyproject.toml) that needs only Debian's pango and a font (installed by .ci/run and the
Dockerfile), runs in the worker process without a browser, and follows the print CSS of
static/css/report.css (@page, page breaks, running footer) that the printable page uses too. It runs no
JavaScript, so the report's charts are SVG images drawn on the server (impact.report_charts).

Nothing is fetched from anywhere while rendering: the only URLs allowed are data: URIs (the charts),
and the stylesheet is read from the static files, so a PDF can never reach the network or the disk
(no server-side request forgery through user text).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders

STYLESHEET = "css/report.css"


def stylesheet_path() -> str:
    found = finders.find(STYLESHEET)
    if not found:
        raise FileNotFoundError(STYLESHEET)
    return str(found if isinstance(found, str) else found[0])


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document (the report template with the PDF frame) to PDF bytes."""
    # Imported here: WeasyPrint loads pango when imported, which only the PDF task needs.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["data"], fail_on_errors=False)
    # The fetcher belongs to the document and the stylesheet; write_pdf takes only rendering options
    # (weasyprint.DEFAULT_OPTIONS) and logs an ERROR for any other.
    document = HTML(string=html, base_url="data:,", url_fetcher=fetcher)
    css = CSS(string=Path(stylesheet_path()).read_text(encoding="utf-8"), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css]) or b""
