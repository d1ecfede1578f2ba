"""The version, in one place: the package, `--version`, SARIF and the wheel (hatch) read it here."""

__version__ = "0.1.0"
