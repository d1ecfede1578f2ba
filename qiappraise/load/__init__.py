"""From files to values: a rubric file loaded, validated and linted (cached by
content), and a proposal path turned into an appraisal.
"""
