"""Projections: GDP outlooks (:mod:`.outlook`), paths to a target (:mod:`.paths`) and the
probability of meeting it (:mod:`.probability`)."""
