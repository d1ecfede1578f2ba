"""Scoring: the pure function from a rubric and a proposal to an appraisal,
and the frozen result values it returns.
"""
