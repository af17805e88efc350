"""Small-count suppression for published tables, with secondary suppression.

A cell counting between 1 and k-1 people is shown as "<k" (primary suppression). That alone is
not enough: a table is published with its row and column totals, so a lone hidden cell in a row
is its total minus the rest. Secondary (complementary) suppression hides more cells until no
hidden "<k" cell can be worked out:

1. every row and column (totals included) holds either no hidden cell or at least two;
2. then an audit solves, for each "<k" cell, the smallest and largest value it could take given
   everything published (a linear programme, as an attacker would), and hides one more cell
   wherever the answer is a single number.

This is the approach national statistics offices use for tabular data (cell suppression with
an audit); the thresholds come from settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import linprog


class Cell(StrEnum):
    """Why a cell is or is not shown."""

    SHOWN = "shown"
    PRIMARY = "primary"  # a small count: shown as "<k"
    SECONDARY = "secondary"  # hidden so that a small count cannot be derived


@dataclass(frozen=True)
class Grid:
    """A count table with its margins: `values[r][c]`, the last row and column are totals."""

    values: list[list[int]]
    marks: list[list[Cell]]
    k: int

    def label(self, row: int, col: int) -> str:
        """What a reader sees in a cell."""
        mark = self.marks[row][col]
        if mark is Cell.PRIMARY:
            return f"<{self.k}"
        if mark is Cell.SECONDARY:
            return "*"
        return str(self.values[row][col])

    def shown(self, row: int, col: int) -> int | None:
        """The number, or None when it is hidden."""
        return self.values[row][col] if self.marks[row][col] is Cell.SHOWN else None


def with_margins(counts: list[list[int]]) -> list[list[int]]:
    """Append row totals, a totals row and the grand total."""
    rows = [[*row, sum(row)] for row in counts]
    width = len(rows[0]) if rows else 1
    totals = [sum(row[c] for row in rows) for c in range(width)]
    return [*rows, totals]


def suppress(counts: list[list[int]], k: int) -> Grid:
    """Mark the cells of `counts` (and its margins) that must not be published."""
    values = with_margins(counts)
    n_rows, n_cols = len(values), len(values[0])
    marks = [[Cell.PRIMARY if 0 < v < k else Cell.SHOWN for v in row] for row in values]
    for _ in range(n_rows * n_cols):  # each pass hides at least one more cell, or stops
        _pair_lines(values, marks)
        exposed = _exposed_cell(values, marks, k)
        if exposed is None:
            break
        _hide_partner(values, marks, *exposed)
    return Grid(values=values, marks=marks, k=k)


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    """Every additive line: each row (cells then total) and each column (cells then total)."""
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    cols = [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return rows + cols


def _pair_lines(values: list[list[int]], marks: list[list[Cell]]) -> None:
    """Hide a partner for every line holding exactly one hidden cell, until none does."""
    n_rows, n_cols = len(values), len(values[0])
    changed = True
    while changed:
        changed = False
        for line in _lines(n_rows, n_cols):
            hidden = [rc for rc in line if marks[rc[0]][rc[1]] is not Cell.SHOWN]
            if len(hidden) != 1:
                continue
            candidates = [rc for rc in line if marks[rc[0]][rc[1]] is Cell.SHOWN]
            if not candidates:
                continue
            r, c = _smallest(values, candidates)
            marks[r][c] = Cell.SECONDARY
            changed = True


def _smallest(values: list[list[int]], cells: list[tuple[int, int]]) -> tuple[int, int]:
    """The cell that costs readers least to hide: the smallest non-zero one, else any."""
    nonzero = [rc for rc in cells if values[rc[0]][rc[1]] > 0]
    return min(nonzero or cells, key=lambda rc: values[rc[0]][rc[1]])


def _exposed_cell(
    values: list[list[int]], marks: list[list[Cell]], k: int
) -> tuple[int, int] | None:
    """A "<k" cell whose value follows exactly from what is published, if there is one."""
    n_rows, n_cols = len(values), len(values[0])
    hidden = [(r, c) for r in range(n_rows) for c in range(n_cols) if marks[r][c] is not Cell.SHOWN]
    if not hidden:
        return None
    index = {rc: i for i, rc in enumerate(hidden)}
    a_eq, b_eq = [], []
    for line in _lines(n_rows, n_cols):
        *cells, total = line
        row = np.zeros(len(hidden))
        rhs = 0.0
        for sign, (r, c) in [(1.0, rc) for rc in cells] + [(-1.0, total)]:
            if (r, c) in index:
                row[index[(r, c)]] += sign
            else:
                rhs -= sign * values[r][c]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    bounds = [(1, k - 1) if marks[r][c] is Cell.PRIMARY else (0, None) for r, c in hidden]
    for i, (r, c) in enumerate(hidden):
        if marks[r][c] is not Cell.PRIMARY:
            continue
        objective = np.zeros(len(hidden))
        objective[i] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status != 0 or high.status != 0 or -high.fun - low.fun < 1.0 - 1e-9:
            return (r, c)
    return None


def _hide_partner(values: list[list[int]], marks: list[list[Cell]], row: int, col: int) -> None:
    """Widen an exposed cell's range: hide the smallest shown cell in its row or column."""
    n_rows, n_cols = len(values), len(values[0])
    same_row = [(row, c) for c in range(n_cols) if marks[row][c] is Cell.SHOWN]
    same_col = [(r, col) for r in range(n_rows) if marks[r][col] is Cell.SHOWN]
    candidates = same_row + same_col
    if not candidates:  # everything around it is hidden already: hide the whole table
        for r in range(n_rows):
            for c in range(n_cols):
                if marks[r][c] is Cell.SHOWN:
                    marks[r][c] = Cell.SECONDARY
        return
    r, c = _smallest(values, candidates)
    marks[r][c] = Cell.SECONDARY
