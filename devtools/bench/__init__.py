"""Benchmarks that print figures (`manage.py bench`); not tests, and never run by them."""
