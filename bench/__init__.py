"""Sohbet's benchmarks: each figure beside a raw baseline measured in the same run.

Run ``python -m bench --quick`` (see README, "Performance", and docs/performance.md).
"""
