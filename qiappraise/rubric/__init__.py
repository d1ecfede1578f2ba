"""The rubric: its typed model, conditions, question types and relevance.

Pure values and functions; reading a rubric file is ``qiappraise.load``'s job.
"""
