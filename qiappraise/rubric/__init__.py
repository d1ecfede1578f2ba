"""The rubric: its typed model, conditions, question types and relevance, and
reading a rubric file into the model (``read``).

Linting a rubric scores answer combinations, so it lives above scoring, in
``qiappraise.load``, with ``load_rubric`` (read, lint, cache).
"""
