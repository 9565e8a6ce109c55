import os

# Web and Celery processes already run one per core; letting each also start a BLAS thread per core
# oversubscribes the machine (Monte Carlo VaR endpoint: median 60-78 ms with one thread against up to
# 158 ms with two, see BENCHMARKS.md). Set before numpy is first imported; the environment still wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from riskplatform.celery import app as celery_app

__all__ = ("celery_app",)
