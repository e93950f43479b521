"""The annual report's numbers as an XLSX workbook: one sheet per part of the report.

Text cells go through impact.exports.safe_cell (no formula injection, CWE-1236); numbers stay numbers
and dates stay dates, so the audit committee can recompute every total.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from impact.annual_report import AnnualReport, section_label
from impact.exports import safe_cell
from organisations.collation import finnish_key


def _number(value: Decimal | int | float | None) -> Any:
    return value if value is not None else None


def _sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
) -> Worksheet:
    sheet = workbook.create_sheet(title[:31])
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif hasattr(cell.value, "year") and not isinstance(cell.value, str):
                cell.number_format = "DD.MM.YYYY"
    return sheet


def report_workbook(report: AnnualReport) -> bytes:
    """Overview, indicators, activities, results, funding by programme, reviews and implications."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    year = report.year

    overview = [
        [
            section_label(s.goal),
            s.rollup.status.label,
            s.rollup.counted,
            len(s.indicators),
            s.funding.count,
            s.report_count,
            s.funding.total_budget,
            s.funding.own_share,
            s.funding.external_funding,
            len(s.reviews),
            str(s.robustness.label),
        ]
        for s in report.sections
    ]
    overview.append(
        [
            _("All activities of the year (each counted once)"),
            "",
            None,
            None,
            report.funding.count,
            report.report_count,
            report.funding.total_budget,
            report.funding.own_share,
            report.funding.external_funding,
            len(report.reviews),
            "",
        ]
    )
    sheet = _sheet(
        workbook,
        _("Overview"),
        [
            _("Strategic goal"),
            _("Status"),
            _("Indicators counted in the status"),
            _("Indicators"),
            _("Activities"),
            _("Progress reports of the year"),
            _("Total budget (€)"),
            _("Own share (€)"),
            _("External funding (€)"),
            _("Partnership reviews of the year"),
            _("Robustness across futures"),
        ],
        overview,
        [50, 18, 14, 12, 12, 14, 16, 16, 16, 14, 24],
    )
    sheet.insert_rows(1, 2)
    sheet["A1"] = safe_cell(
        f"{report.organisation.name} – {report.strategy} – "
        + _("International activity %(year)s: report by strategic goal") % {"year": year}
    )
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = safe_cell(_("Situation on %(date)s") % {"date": report.as_of.strftime("%d.%m.%Y")})
    sheet.freeze_panes = "A4"

    indicator_rows = []
    for s in report.sections:
        for line in s.indicators:
            indicator = line.indicator
            latest = line.state.latest
            target = line.state.target
            indicator_rows.append(
                [
                    section_label(s.goal),
                    line.goal_codes,
                    str(indicator.name),
                    indicator.unit,
                    indicator.baseline_period.year if indicator.baseline_period else None,
                    _number(indicator.baseline_value),
                    _number(line.year_value.value if line.year_value else None),
                    latest.period if latest else None,
                    _number(latest.value if latest else None),
                    target.period if target else None,
                    _number(target.value if target else None),
                    line.progress_percent,
                    line.expected_percent,
                    line.status.label,
                ]
            )
    _sheet(
        workbook,
        _("Indicators"),
        [
            _("Strategic goal"),
            _("Goals measured"),
            _("Indicator"),
            _("Unit"),
            _("Baseline year"),
            _("Baseline"),
            _("Value %(year)s") % {"year": year},
            _("Latest period"),
            _("Latest value"),
            _("Target period"),
            _("Target"),
            _("Progress (%)"),
            _("Expected (%)"),
            _("Status"),
        ],
        indicator_rows,
        [40, 14, 40, 10, 10, 12, 12, 12, 12, 12, 12, 10, 10, 18],
    )

    activity_rows = []
    result_rows = []
    for s in report.sections:
        for activity_line in s.activities:
            activity = activity_line.activity
            activity_rows.append(
                [
                    section_label(s.goal),
                    activity.name,
                    activity.get_kind_display(),
                    activity.get_status_display(),
                    activity_line.goal_codes,
                    activity_line.strengths,
                    activity.get_programme_display() if activity.programme else "",
                    _number(activity.total_budget),
                    _number(activity.own_share),
                    _number(activity.external_funding),
                    len(activity_line.reports),
                ]
            )
            for progress in activity_line.reports:
                result_rows.append(
                    [
                        section_label(s.goal),
                        activity.name,
                        progress.reported_on,
                        progress.get_status_display(),
                        progress.achieved,
                        progress.next_steps,
                    ]
                )
    _sheet(
        workbook,
        _("Activities"),
        [
            _("Strategic goal"),
            _("Activity"),
            _("Kind"),
            _("Status"),
            _("Goals served"),
            _("Strength"),
            _("Funding programme"),
            _("Total budget (€)"),
            _("Own share (€)"),
            _("External funding (€)"),
            _("Progress reports of the year"),
        ],
        activity_rows,
        [40, 40, 22, 12, 14, 16, 18, 16, 16, 16, 12],
    )
    _sheet(
        workbook,
        _("Results"),
        [_("Strategic goal"), _("Activity"), _("Date"), _("Status"), _("What was achieved"), _("Next steps")],
        result_rows,
        [40, 40, 12, 16, 60, 40],
    )

    programme_rows = [
        [_("All strategic goals"), p.label, p.funding.count, p.funding.total_budget, p.funding.own_share,
         p.funding.external_funding]
        for p in report.programmes
    ] + [
        [section_label(s.goal), p.label, p.funding.count, p.funding.total_budget, p.funding.own_share,
         p.funding.external_funding]
        for s in report.sections
        for p in s.programmes
    ]  # fmt: skip
    _sheet(
        workbook,
        _("Funding"),
        [
            _("Strategic goal"),
            _("Funding programme"),
            _("Activities"),
            _("Total budget (€)"),
            _("Own share (€)"),
            _("External funding (€)"),
        ],
        programme_rows,
        [40, 24, 12, 16, 16, 16],
    )

    review_rows = [
        [
            review.activity.name,
            review.reviewed_on,
            _("yes") if review.shared_goals else _("no"),
            _("yes") if review.joint_action_plan else _("no"),
            review.get_decision_display(),
            _number(review.cost),
            review.reason,
        ]
        for review in sorted(report.reviews, key=lambda r: (finnish_key(r.activity.name), r.reviewed_on))
    ]
    _sheet(
        workbook,
        _("Partnership reviews"),
        [
            _("Partnership"),
            _("Reviewed on"),
            _("Shared goals"),
            _("Joint action plan"),
            _("Decision"),
            _("Cost (€ per year)"),
            _("Reason"),
        ],
        review_rows,
        [40, 12, 12, 12, 12, 14, 50],
    )

    implication_rows = [
        [
            section_label(s.goal),
            implication.goal.code or implication.goal.title,
            implication.story.title,
            implication.story.horizon_year,
            implication.story.get_kind_display(),
            implication.get_kind_display(),
            implication.strength,
            implication.action,
        ]
        for s in report.sections
        for implication in s.implications
    ]
    _sheet(
        workbook,
        _("Future stories"),
        [
            _("Strategic goal"),
            _("Goal"),
            _("Future story"),
            _("Horizon year"),
            _("Kind of story"),
            _("Opportunity or threat"),
            _("Strength (1–3)"),
            _("What the goal should do"),
        ],
        implication_rows,
        [40, 14, 40, 10, 18, 16, 10, 60],
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
