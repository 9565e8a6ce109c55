"""Empirical VaR / ES from simulated or historical losses: the quantile convention lives here.

Convention (historical and Monte Carlo alike): losses are -P&L; with n scenarios,
VaR = `numpy.quantile(losses, confidence)` with numpy's default "linear" method (virtual index
(n-1) x confidence in the ascending losses, linear interpolation between neighbours), and
ES = the mean of the losses at or beyond VaR (loss >= VaR; never empty: the worst loss is always
in it). Both need only the `n - floor((n-1) c)` largest losses, so callers keep just that tail
(`np.partition`), which is what lets Monte Carlo stream scenarios in bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.riskmath._types import BoolArray, FloatArray, IntArray, as_float
from analytics.riskmath.errors import InvalidInputError


def check_confidence(confidence: float) -> None:
    if not 0.5 <= confidence < 1.0:
        raise InvalidInputError("confidence", "must be in [0.5, 1)")


def tail_size(n: int, confidence: float) -> int:
    """How many of the largest losses the VaR/ES of `n` scenarios depend on."""
    check_confidence(confidence)
    if n < 1:
        raise InvalidInputError("scenarios", "need at least one scenario")
    return int(n - np.floor((n - 1) * confidence))


@dataclass(frozen=True)
class TailVarEs:
    """VaR and ES per portfolio [P], plus the tail they came from (largest losses first).

    `tail_ids` [P x t] are scenario (row) indices of `tail_losses`; `in_es` marks the ones with
    loss >= VaR, i.e. the scenarios ES averages over (used for simulation component VaR).
    """

    var: FloatArray
    es: FloatArray
    tail_losses: FloatArray
    tail_ids: IntArray
    in_es: BoolArray


def var_es_from_tail(tail_losses: FloatArray, tail_ids: IntArray, n: int, confidence: float) -> TailVarEs:
    """VaR/ES from the `tail_size(n, confidence)` largest losses [P x t] (any order) of n scenarios."""
    t = tail_size(n, confidence)
    order = np.argsort(-tail_losses, axis=1, kind="stable")
    losses = np.take_along_axis(tail_losses, order, axis=1)[:, :t]
    ids = np.take_along_axis(tail_ids, order, axis=1)[:, :t]
    virtual = (n - 1) * confidence
    lower = int(np.floor(virtual))
    upper = min(lower + 1, n - 1)
    gamma = virtual - lower
    # Ascending position p is descending column n-1-p; reproduce numpy's _lerp exactly.
    a = losses[:, n - 1 - lower]
    b = losses[:, n - 1 - upper] if upper != lower else a
    diff = b - a
    var = b - diff * (1.0 - gamma) if gamma >= 0.5 else a + diff * gamma
    in_es = losses >= var[:, None]
    in_es[:, 0] = True
    es = (losses * in_es).sum(axis=1) / in_es.sum(axis=1)
    return TailVarEs(as_float(var), as_float(es), as_float(losses), np.asarray(ids, dtype=np.intp), in_es)


def var_es_from_losses(losses: FloatArray, confidence: float) -> TailVarEs:
    """VaR/ES of each row of `losses` [P x n] (one row per portfolio, one column per scenario)."""
    x = as_float(losses)
    if x.ndim != 2:
        raise InvalidInputError("losses", "expected [portfolios x scenarios]")
    n = x.shape[1]
    t = tail_size(n, confidence)
    ids = np.argpartition(x, n - t, axis=1)[:, n - t :] if t < n else np.tile(np.arange(n), (x.shape[0], 1))
    return var_es_from_tail(np.take_along_axis(x, ids, axis=1), ids, n, confidence)


class TailTracker:
    """Running `t` largest losses per portfolio over scenario chunks (for streaming Monte Carlo)."""

    def __init__(self, n_portfolios: int, t: int) -> None:
        self.t = t
        self.losses = np.full((n_portfolios, 0), -np.inf)
        self.ids = np.zeros((n_portfolios, 0), dtype=np.intp)

    def update(self, chunk_losses: FloatArray, first_id: int) -> None:
        """Merge a [P x s] chunk whose columns are scenarios first_id .. first_id + s - 1."""
        p = chunk_losses.shape[0]
        if self.losses.shape[1] < self.t:
            self._merge_dense(chunk_losses, first_id)
            return
        # Once full, only losses above a portfolio's current t-th largest can enter its tail: a
        # comparison over the chunk finds the few candidates, which are packed into a narrow
        # [P x widest] block (padded with -inf) and merged by one small partition.
        rows, cols = np.nonzero(chunk_losses > self.losses.min(axis=1)[:, None])
        if rows.size == 0:
            return
        counts = np.bincount(rows, minlength=p)
        rank = np.arange(rows.size) - (np.cumsum(counts) - counts)[rows]
        width = int(counts.max())
        cand_losses = np.full((p, width), -np.inf)
        cand_ids = np.zeros((p, width), dtype=np.intp)
        cand_losses[rows, rank] = chunk_losses[rows, cols]
        cand_ids[rows, rank] = cols + first_id
        self._keep_top(
            np.concatenate([self.losses, cand_losses], axis=1), np.concatenate([self.ids, cand_ids], axis=1)
        )

    def _keep_top(self, losses: FloatArray, ids: IntArray) -> None:
        width = losses.shape[1]
        if width > self.t:
            keep = np.argpartition(losses, width - self.t, axis=1)[:, width - self.t :]
            losses = np.take_along_axis(losses, keep, axis=1)
            ids = np.take_along_axis(ids, keep, axis=1)
        self.losses = losses
        self.ids = ids

    def _merge_dense(self, chunk_losses: FloatArray, first_id: int) -> None:
        s = chunk_losses.shape[1]
        ids = np.broadcast_to(np.arange(first_id, first_id + s, dtype=np.intp), chunk_losses.shape)
        if s > self.t:
            part = np.argpartition(chunk_losses, s - self.t, axis=1)[:, s - self.t :]
            chunk_losses = np.take_along_axis(chunk_losses, part, axis=1)
            ids = part + first_id
        self._keep_top(
            np.concatenate([self.losses, chunk_losses], axis=1), np.concatenate([self.ids, ids], axis=1)
        )
