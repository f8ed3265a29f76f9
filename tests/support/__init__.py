"""Test support shared by every folder: API calls, problem checks, database reads.

Fixtures (clients, sign-in, people, records) are in tests/conftest.py; the plain helpers
they and the tests use are here.
"""
