"""What an import found and did: candidate values, problems that block it, notices of what was skipped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.importers.numbers import plain_number

PREVIEW_ROWS = 10
# Problems beyond this many are counted, not listed (a file where every row is wrong says so soon enough).
MAX_LISTED_PROBLEMS = 10_000

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Candidate:
    """A value an importer wants to write. None in status/reason/note means "the source does not say"."""

    indicator_id: int
    period: dt.date
    value: Decimal | None
    row: int
    status: str | None = None
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row (or a cell) cannot be imported. Any problem blocks the whole import."""

    row: int | None
    column: str
    reason: str


@dataclass
class Report:
    """The report the web page and the management command both show."""

    unit: str = "rows"  # "rows" of a table or "cells" of a dataset
    read: int = 0
    matched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    # What was read but does not belong here, by (subject, reason): never dropped silently.
    notices: dict[tuple[str, str], int] = field(default_factory=dict)
    preview: list[dict[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    # --- recording -------------------------------------------------------------------------------

    def problem(self, row: int | None, column: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(Problem(row, column, reason))

    def notice(self, subject: str, reason: str, count: int = 1) -> None:
        key = (subject, reason)
        self.notices[key] = self.notices.get(key, 0) + count

    # --- reading -----------------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def rejected(self) -> int:
        """Rows (or cells) with at least one problem."""
        rows = {p.row for p in self.problems if p.row is not None}
        unnumbered = sum(1 for p in self.problems if p.row is None)
        return len(rows) + unnumbered + (self.problem_count - len(self.problems))

    @property
    def imported(self) -> int:
        return self.created + self.updated

    @property
    def skipped(self) -> int:
        return sum(self.notices.values())

    @property
    def unlisted_problems(self) -> int:
        return self.problem_count - len(self.problems)

    def notice_rows(self) -> list[dict[str, Any]]:
        """The notices grouped by reason (so, for example, merged municipalities stand together)."""
        return [
            {"subject": subject, "reason": reason, "count": count}
            for (subject, reason), count in sorted(
                self.notices.items(), key=lambda item: (item[0][1], item[0][0])
            )
        ]

    def lines(self) -> list[str]:
        """The report as text lines (the management command prints these)."""
        unit_read = (
            ngettext("%(n)s row read", "%(n)s rows read", self.read)
            if self.unit == "rows"
            else ngettext("%(n)s cell read", "%(n)s cells read", self.read)
        ) % {"n": self.read}
        lines = [
            unit_read,
            _("%(n)s matched to indicators") % {"n": self.matched},
            _("%(n)s rejected") % {"n": self.rejected},
        ]
        for problem in self.problems:
            lines.append("  " + describe_problem(problem, self.unit))
        if self.unlisted_problems:
            lines.append("  " + _("… and %(n)s more problems") % {"n": self.unlisted_problems})
        if self.notices:
            lines.append(_("%(n)s not imported here") % {"n": self.skipped})
            for row in self.notice_rows():
                lines.append(f"  {row['subject']}: {row['reason']} ({row['count']})")
        if self.written:
            lines.append(
                _("%(n)s imported: %(created)s new, %(updated)s changed; %(unchanged)s already up to date")
                % {
                    "n": self.imported,
                    "created": self.created,
                    "updated": self.updated,
                    "unchanged": self.unchanged,
                }
            )
        elif not self.ok:
            lines.append(_("Nothing was imported: fix the problems and import the file again."))
        else:
            lines.append(
                _(
                    "Nothing was written (a check): %(created)s would be new, %(updated)s changed, "
                    "%(unchanged)s are already up to date"
                )
                % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
            )
        return lines

    # --- storage in ImportRun.report --------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "read": self.read,
            "matched": self.matched,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "written": self.written,
            "problems": [[p.row, p.column, p.reason] for p in self.problems],
            "problem_count": self.problem_count,
            "notices": [[s, r, c] for (s, r), c in self.notices.items()],
            "preview": self.preview,
            "columns": self.columns,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        report = cls(
            unit=data.get("unit", "rows"),
            read=data.get("read", 0),
            matched=data.get("matched", 0),
            created=data.get("created", 0),
            updated=data.get("updated", 0),
            unchanged=data.get("unchanged", 0),
            written=data.get("written", False),
            problems=[Problem(row, column, reason) for row, column, reason in data.get("problems", [])],
            preview=data.get("preview", []),
            columns=data.get("columns", []),
        )
        report.problem_count = data.get("problem_count", len(report.problems))
        report.notices = {(s, r): c for s, r, c in data.get("notices", [])}
        return report


def describe_problem(problem: Problem, unit: str = "rows") -> str:
    if problem.row is None:
        return f"{problem.column}: {problem.reason}"
    if unit == "cells":
        return _("Cell %(row)s (%(column)s): %(reason)s") % {
            "row": problem.row,
            "column": problem.column,
            "reason": problem.reason,
        }
    return _("Row %(row)s, column “%(column)s”: %(reason)s") % {
        "row": problem.row,
        "column": problem.column,
        "reason": problem.reason,
    }


def preview_value(value: Decimal | None) -> str:
    return "" if value is None else plain_number(value)
