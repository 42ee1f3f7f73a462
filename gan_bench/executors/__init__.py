"""Executors: how the runs of a suite are scheduled (local for now)."""
