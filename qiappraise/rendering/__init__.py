"""Rendering one appraisal: Markdown and HTML reports from sandboxed Jinja
templates, SVG charts, JSON, and the terminal view.
"""
