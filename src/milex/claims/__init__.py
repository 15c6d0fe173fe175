"""Claim checking: reading texts in nl/en/de/fr and judging their claims."""
