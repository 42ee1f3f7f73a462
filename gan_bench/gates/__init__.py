"""CI gates: thresholds against a run set (and a baseline file) give verdicts and an exit code."""
