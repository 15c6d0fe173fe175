"""Checks of figures and claims: one country across sources and editions (:mod:`.crosscheck`)
and national plans against projected GDP and the Hague path (:mod:`.pledges`)."""
