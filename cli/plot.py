"""The budget chart as PNG or SVG: cumulative paid per month, committed on top, the budget line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.cli.i18n import t


def budget_plot(report: dict[str, Any], path: str) -> None:
    """Write the chart; a manager sees the month the forecast crosses the budget."""
    try:
        import matplotlib
    except ImportError:
        from ledger.domain.errors import InputError

        raise InputError(field="--plot", reason="matplotlib_missing") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    months = [entry["month"] for entry in report["months"]]
    paid, committed, total_paid, total_committed = [], [], Decimal(0), Decimal(0)
    for entry in report["months"]:
        total_paid += Decimal(entry["paid"])
        total_committed += Decimal(entry["committed"])
        paid.append(float(total_paid / 1000))  # thousands of kronor, for drawing only
        committed.append(float(total_committed / 1000))
    budget = float(Decimal(report["budget"]) / 1000)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    ax.bar(months, paid, color="#2b6cb0", label=t("budget.paid"))
    ax.bar(months, committed, bottom=paid, color="#ed8936", label=t("budget.committed"))
    ax.axhline(budget, color="#c53030", linewidth=2, label=t("budget.budget"))
    if report["budget_runs_out"]:
        month = int(report["budget_runs_out"][-2:])
        ax.axvline(month, color="#c53030", linestyle=":", linewidth=1)
        ax.annotate(t("label.runs_out", month=report["budget_runs_out"]), (month, budget), textcoords="offset points",
                    xytext=(-60, 8), color="#c53030")
    ax.set_xticks(months)
    ax.set_xlabel(t("col.month"))
    ax.set_ylabel("tkr")
    ax.set_title(t("title.budget", year=report["year"], as_of=report["as_of"]))
    ax.legend(loc="upper left")
    fig.tight_layout()
    from ledger.cli.files import write_with

    try:
        write_with(path, lambda partial: fig.savefig(partial, format=str(path).rsplit(".", 1)[-1].lower()))
    finally:
        plt.close(fig)
