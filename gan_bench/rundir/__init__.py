"""The run directory: its layout, atomic writes, the output lock, metrics.json, and what makes a run reproducible."""
