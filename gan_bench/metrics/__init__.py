"""Scoring: evaluators, torch-fidelity glue, mode coverage, convergence diagnostics."""
