"""Builders of test data, one module per domain: returns, people, judgements, forecasting.

Fixtures stay in the ``conftest.py`` beside the tests that use them; what a test needs to
make (a census file, a signed-in person, a synthetic panel) or read back is built here.
"""
