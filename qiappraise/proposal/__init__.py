"""Proposals: reading and validating a proposal file, what its answers mean,
its JSON Schema and the skeletons ``init`` writes.
"""
