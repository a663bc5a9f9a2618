"""Printable PDF forms (附件 to be printed and sealed) with Chinese text, built with ReportLab.

The CJK font is a TrueType file found at SKILLBRIDGE_PDF_FONT or in the usual Debian location
(package `fonts-wqy-microhei`); it is embedded (subset) in every PDF, so a printout looks the same on any
machine. A missing font is a clear start-up-time error for the PDF, never boxes in the output.
"""

import io
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import quote

from django.http import HttpResponse
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_NAME = "SkillBridgeCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class PdfFontMissing(RuntimeError):
    pass


@cache
def cjk_font() -> str:
    """Register the CJK font once; return its ReportLab name."""
    configured = os.environ.get("SKILLBRIDGE_PDF_FONT")
    candidates = (configured,) if configured else FONT_CANDIDATES
    for path in candidates:
        if path and Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
            return FONT_NAME
    raise PdfFontMissing(
        "未找到中文字体，无法生成PDF：请安装 fonts-wqy-microhei，或用 SKILLBRIDGE_PDF_FONT 指定 TrueType 字体文件"
    )


def styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=10.5, leading=15),
        "body": ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK"),
    }


def cell(text) -> Paragraph:
    """A table cell that wraps Chinese text."""
    return Paragraph("" if text is None else str(text).replace("\n", "<br/>"), styles()["cell"])


def grid_table(
    rows: Sequence[Sequence], col_widths: Sequence[float], *, header_rows: int = 0, spans=()
) -> Table:
    """A ruled table like the printed 附件 forms; `spans` are ReportLab ((col, row), (col, row)) pairs."""
    table = Table(
        [[c if isinstance(c, Paragraph) else cell(c) for c in row] for row in rows], colWidths=col_widths
    )
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#EEF2F7")))
    style += [("SPAN", a, b) for a, b in spans]
    table.setStyle(TableStyle(style))
    return table


def render(flowables: list, *, title: str, landscape_page: bool = False) -> bytes:
    buffer = io.BytesIO()
    size = landscape(A4) if landscape_page else A4
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        title=title,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(flowables)
    return buffer.getvalue()


def pdf_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


__all__ = ["Paragraph", "Spacer", "cell", "cjk_font", "grid_table", "mm", "pdf_response", "render", "styles"]
