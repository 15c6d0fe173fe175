"""Comparisons of military spending between two sides (a country or a group against another),
on market exchange rates, GDP purchasing-power parity, published defence-specific PPP
estimates and a split basis, with share of GDP, real growth, its acceleration and per capita.

Modules: :mod:`.sides` (who a side counts, from which source and edition), :mod:`.bases` (the
bases and the one function applying a basis to both sides), :mod:`.race` (share of GDP, real
growth and acceleration, per capita), :mod:`.table` (the rows and the Result).

Named ``comparison`` rather than ``compare`` because the public function :func:`milex.compare`
is re-exported at the package's top: a submodule of the same name would shadow it (as
``countries.py`` became ``geo.py``).
"""

from milex.comparison.table import compare

__all__ = ["compare"]
