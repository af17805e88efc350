"""Small counts are hidden, and no hidden small count can be worked out from the totals."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from insight.suppression import Cell, Grid, suppress

K = 10


def attacker_range(grid: Grid, row: int, col: int) -> tuple[float, float]:
    """What someone holding the published table can prove about one hidden cell.

    They know every shown number, that row and column totals add up, that a "<k" cell lies in
    1..k-1 and that any count is >= 0. Solve for the cell's smallest and largest value.
    """
    cells = [
        (r, c)
        for r, line in enumerate(grid.marks)
        for c, m in enumerate(line)
        if m is not Cell.SHOWN
    ]
    index = {rc: i for i, rc in enumerate(cells)}
    n_rows, n_cols = len(grid.values), len(grid.values[0])
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    a_eq, b_eq = [], []
    for *parts, total in lines:
        equation = np.zeros(len(cells))
        rhs = 0.0
        for sign, rc in [(1.0, p) for p in parts] + [(-1.0, total)]:
            shown = grid.shown(*rc)
            if shown is None:
                equation[index[rc]] += sign
            else:
                rhs -= sign * shown
        if equation.any():
            a_eq.append(equation)
            b_eq.append(rhs)
    bounds = [(1, K - 1) if grid.marks[r][c] is Cell.PRIMARY else (0, None) for r, c in cells]
    target = np.zeros(len(cells))
    target[index[(row, col)]] = 1
    low = linprog(target, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-target, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    return low.fun, -high.fun


def check(counts: list[list[int]]) -> Grid:
    grid = suppress(counts, K)
    for r, line in enumerate(grid.values):
        for c, value in enumerate(line):
            if 0 < value < K:
                assert grid.marks[r][c] is Cell.PRIMARY
                assert grid.label(r, c) == f"<{K}"
            if grid.marks[r][c] is Cell.PRIMARY:
                low, high = attacker_range(grid, r, c)
                assert high - low >= 1 - 1e-9, (counts, (r, c), low, high)
    return grid


def test_a_lone_small_cell_gets_a_partner_in_its_row_and_column() -> None:
    grid = check([[3, 50, 40], [25, 12, 60], [30, 30, 30]])
    assert grid.label(0, 0) == "<10"
    hidden_in_row = [c for c in range(4) if grid.marks[0][c] is not Cell.SHOWN]
    hidden_in_col = [r for r in range(4) if grid.marks[r][0] is not Cell.SHOWN]
    assert len(hidden_in_row) >= 2 and len(hidden_in_col) >= 2
    assert "*" in [grid.label(r, c) for r in range(4) for c in range(4)]


def test_small_totals_are_hidden_too() -> None:
    grid = check([[1, 1], [20, 30]])
    assert grid.label(0, 2) == "<10"  # the row total of 2


def test_a_single_column_table_with_one_small_row() -> None:
    grid = check([[5], [40], [50]])
    assert grid.label(0, 0) == "<10" and grid.label(1, 0) == "*"  # 40 hides it, not the total


def test_cells_at_their_bounds_are_still_protected() -> None:
    check([[1, 1, 40], [1, 1, 40], [30, 30, 30]])
    check([[9, 9], [9, 9]])


def test_zeros_and_large_counts_are_shown() -> None:
    grid = check([[0, 40], [25, 60]])
    assert [grid.label(0, c) for c in range(3)] == ["0", "40", "40"]


@pytest.mark.parametrize("seed", range(12))
def test_random_sparse_tables_never_expose_a_small_count(seed: int) -> None:
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 12), rng.randint(1, 4)
    check(
        [
            [rng.choice([0, 0, 1, 2, 3, 7, 9, 10, 14, 30, 120]) for _ in range(cols)]
            for _ in range(rows)
        ]
    )
