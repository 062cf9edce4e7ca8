"""Benchmarks of Téléservices (``make bench``); results are reported in ``bench/RESULTS.md``."""
