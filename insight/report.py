"""`cairn insight report`: a monthly summary (PDF or HTML): demand, then check-in outcomes.

It is drawn from the same suppressed tables as the dashboard, so nothing under the threshold
appears; hidden cells are left out of the charts and labelled in the tables.
"""

from __future__ import annotations

import calendar
import html
import io
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from insight.aggregates import Filters, Table
from insight.outcomes import TABLE_IDS, headline, outcome_mix

INK, BRAND = "#1b1b1b", "#0b5c4b"
COLOURS = ["#0b5c4b", "#b35900", "#3d5a99", "#7a1f5c", "#4a4a4a", "#8c7a00"]
CHARTS = ("demand", "areas", "unanswered", "escalations")


def month_filters(month: str) -> Filters:
    """The first and last day of a month given as YYYY-MM."""
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return Filters(start=date(year, number, 1), end=date(year, number, last))


def _draw(ax: Axes, table: Table) -> None:
    ax.set_title(table.title, fontsize=9, loc="left", color=INK)
    ax.tick_params(labelsize=7)
    series = table.series()
    labels = series["labels"][:12] if table.chart != "line" else series["labels"]
    if not labels:
        ax.text(0.5, 0.5, "No events", ha="center", va="center", fontsize=8)
        ax.set_axis_off()
        return
    for i, dataset in enumerate(series["datasets"]):
        values = [v if v is not None else float("nan") for v in dataset["data"][: len(labels)]]
        colour = COLOURS[i % len(COLOURS)]
        if table.chart == "line":
            ax.plot(range(len(labels)), values, label=dataset["label"], color=colour, lw=1.2)
        else:
            offset = [
                sum((d["data"][j] or 0) for d in series["datasets"][:i]) for j in range(len(labels))
            ]
            clean = [0 if v != v else v for v in values]
            ax.barh(labels, clean, left=offset, label=dataset["label"], color=colour)
    if table.chart == "line":
        step = max(1, len(labels) // 6)
        ax.set_xticks(
            range(0, len(labels), step), [labels[j][5:] for j in range(0, len(labels), step)]
        )
    else:
        ax.invert_yaxis()
    if len(series["datasets"]) > 1:
        ax.legend(fontsize=6, frameon=False)
    if series["hidden"]:
        ax.annotate(
            f"{series['hidden']} small figure(s) hidden",
            (0, -0.18),
            xycoords="axes fraction",
            fontsize=6,
            color="#4a4a4a",
        )


def _figure(title: str, tables: list[Table], charts: tuple[str, ...] = CHARTS) -> Figure:
    by_id = {t.id: t for t in tables}
    fig, axes = plt.subplots(2, 2, figsize=(8.27, 7.2))
    for ax, table_id in zip(axes.flat, charts, strict=True):
        _draw(ax, by_id[table_id])
    fig.suptitle(title, x=0.02, ha="left", fontsize=13, color=BRAND)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


def _headline(tables: list[Table]) -> list[tuple[str, str]]:
    """The month in a few figures (already suppressed)."""
    by_id = {t.id: t for t in tables}
    out = []
    for table_id, label in (
        ("demand", "Messages"),
        ("unanswered", "Questions without a good answer"),
        ("escalations", "Passed to a person"),
        ("outcomes", "Adviser cases closed"),
    ):
        table = by_id[table_id]
        last = len(table.grid.values) - 1
        out.append((label, table.grid.label(last, len(table.grid.values[0]) - 1)))
    return out


def _outcome_figures(tables: list[Table]) -> list[tuple[str, str]]:
    """The check-in headline and the outcome mix (share of answers), already suppressed."""
    return [*headline(tables), *((f"Outcome: {o}", v) for o, v in outcome_mix(tables))]


def write_report(month: str, tables: list[Table], path: Path, threshold: int) -> Path:
    """Write the summary as PDF (by extension) or HTML: demand, then check-in outcomes."""
    fig = _figure(f"Cairn demand insight, {month}", tables)
    outcomes = _figure(f"Outcomes of follow-up check-ins, {month}", tables, TABLE_IDS)
    small = f"Counts under {threshold} shown as <{threshold}."
    if path.suffix.lower() == ".pdf":
        for page, figures in ((fig, _headline(tables)), (outcomes, _outcome_figures(tables))):
            lines = "   ".join(f"{label}: {value}" for label, value in figures)
            page.text(0.02, 0.005, f"{lines}.   {small}", fontsize=6, color=INK, wrap=True)
        with PdfPages(path) as pdf:
            pdf.savefig(fig)
            pdf.savefig(outcomes)
        plt.close(fig)
        plt.close(outcomes)
        return path
    svgs = []
    for figure in (fig, outcomes):
        svg = io.StringIO()
        figure.savefig(svg, format="svg")
        plt.close(figure)
        svgs.append(svg.getvalue().split("?>", 1)[-1])
    path.write_text(
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>Cairn demand insight, {html.escape(month)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;"
        "color:#1b1b1b}th,td{text-align:left;padding:.2rem .6rem}</style></head><body>"
        f"<h1>Cairn demand insight, {html.escape(month)}</h1>"
        f"{_rows(_headline(tables))}"
        f"<p>Counts under {threshold} are shown as &lt;{threshold}; no message text or "
        f"identifier is stored.</p>{svgs[0]}"
        "<h2 id='outcomes'>Outcomes of follow-up check-ins</h2>"
        "<p>One check-in, about two weeks after the first help, to young people who agreed to "
        "it. Shares use shown counts only; definitions in docs/outcomes.md.</p>"
        f"{_rows(_outcome_figures(tables))}{svgs[1]}</body></html>",
        encoding="utf-8",
    )
    return path


def _rows(figures: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th scope='row'>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
        for label, value in figures
    )
    return f"<table>{cells}</table>"
