"""Scoring a finished run: generate from its final G, compute the metrics, write metrics.json."""
