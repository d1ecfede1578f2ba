"""The gate: the check policy and its config files, which files a check reads,
the verdict for each, and its output formats (text, JSON, SARIF, JUnit,
GitHub, GitLab).
"""
