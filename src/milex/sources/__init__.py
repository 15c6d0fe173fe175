"""Readers of official (and reference) files. Each returns frames in milex's tidy shape.

Modules here depend on nothing else in milex but :mod:`milex.errors`; the store calls them.
"""
