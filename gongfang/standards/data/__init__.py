"""Seed data of the standards, as plain Python: migrations, tests and the rules engine import it.

The codes (levels, grades, parameter and clause keys) are the stored codes of
``registry.choices`` and ``standards.ruleset``, written out so a migration never depends on
today's application code.
"""
