"""Datasets: the IDX reader and the catalogue of verified dataset files."""
