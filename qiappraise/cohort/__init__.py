"""Cohorts: finding proposal files, batch scoring them in worker processes,
what the cohort shows (aggregate, charts, report, CSV), and comparing two
versions of one proposal.
"""
