"""The Monte Carlo engine: the probability that planned spending meets a share-of-GDP target.

Pure numpy; it reads no store. :mod:`.engine` holds the model and its kernel (see its
docstring), :mod:`.runners` where chunks run (local threads or processes, Dask) and
:func:`simulate`, :mod:`.uncertainty` the shock sizes. Importing this package does not import
pandas, DuckDB or the rest of milex, so process and Dask workers stay light.
"""

from milex.montecarlo.engine import BLOCK, MAX_BINS, GroupResult, SimulationResult
from milex.montecarlo.runners import simulate
from milex.montecarlo.uncertainty import Uncertainty, load_uncertainty

__all__ = [
    "BLOCK",
    "MAX_BINS",
    "GroupResult",
    "SimulationResult",
    "Uncertainty",
    "load_uncertainty",
    "simulate",
]
