"""Second raters: moderating two appraisals of one project, agreement across a
cohort (kappa, ICC) and their reports.
"""
