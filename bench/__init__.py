"""`make bench` (bench/run.py) and the reference implementations it measures against."""
