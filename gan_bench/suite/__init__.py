"""Suites: the TOML file, its pydantic models, the run specs it expands to, and where suite files are found."""
