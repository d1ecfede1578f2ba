"""The interactive session: the state of an appraisal or review in progress
(saved after every answer), the prompts, and the loops that ask them.
"""
