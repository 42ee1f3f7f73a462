"""Run directories written out in other tools' formats; the run directory stays the source of truth."""
