"""Bolt's benchmark: Bolt, a bare ASGI app and peer frameworks on Granian, side by side.

Run ``python bench/run.py --help``. Nothing here is imported by the test suite.
"""
