"""Munitions: production and consumption estimates per actor and year (:mod:`.estimates`),
scenario files (:mod:`.scenario`), the monthly stock-flow model (:mod:`.model`) and the
production ratio between two actors (:mod:`.ratio`)."""
