"""The organisation report's outputs: its xlsx sheet (Chinese headers, the exports' rules) and
its compliance chart (server-side SVG, services/charts.py)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from examsvc.labels import CATEGORY_LABELS, HOURS_BASIS_LABELS
from examsvc.services import charts, exports
from examsvc.services.training.compliance import OrgCompliance, PersonYear

HEADER = ("姓名", "所属组织", "组织代码", "人员类别", "班子成员/书记", "年度", "培训次数", "学时",
          "最低学时", "依据", "差额", "是否达标", "书记轮训（≥3天）")  # fmt: skip
WIDTHS = (12, 28, 12, 20, 12, 7, 9, 8, 9, 14, 8, 9, 16)
#: Most bars one chart draws (the largest groups are kept).
MAX_BARS = 40


def rows_of(report: OrgCompliance, below_only: bool = False) -> list[PersonYear]:
    return report.below if below_only else report.rows


def _rotation(row: PersonYear) -> str:
    rotation = row.hours.rotation
    if rotation is None:
        return ""
    return f"是（{rotation.days}天）" if rotation.done else ("否" if not rotation.days else
                                                          f"否（{rotation.days}天）")  # fmt: skip


def _sheet_rows(report: OrgCompliance, below_only: bool):
    for row in rows_of(report, below_only):
        org = report.organisations.get(row.organisation_id or 0)
        year = row.hours
        yield [
            row.name,
            org.name if org else "",
            org.code if org else "",
            str(CATEGORY_LABELS[row.category]) if row.category in CATEGORY_LABELS else "",
            "是" if row.leader else "否",
            year.year,
            year.trainings,
            year.hours,
            year.minimum,
            str(HOURS_BASIS_LABELS.get(year.basis, year.basis)),
            year.shortfall,
            "是" if year.ok else "否",
            _rotation(row),
        ]


def report_xlsx(report: OrgCompliance, below_only: bool = False) -> bytes:
    """Every person of the report (or those below the minimum) with hours and minimum."""
    with force_locale("zh"):
        return exports.workbook("培训学时", HEADER, WIDTHS, _sheet_rows(report, below_only))


def chart(report: OrgCompliance, by: str) -> str:
    """The share of people meeting their minimum, per branch (``by`` "org") or category."""
    groups = report.by_category if by == "category" else report.by_org
    largest = sorted(groups, key=lambda g: -g.people)[:MAX_BARS]
    kept = [g for g in groups if g in largest]
    label = (
        _("Share meeting the yearly minimum, by category")
        if by == "category"
        else _("Share meeting the yearly minimum, by organisation")
    )
    return charts.share_bars(
        [(g.label, g.met, g.people) for g in kept], label=label, chart_id="compliance-chart"
    )
