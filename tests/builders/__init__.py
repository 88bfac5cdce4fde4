"""Builders of test data: returns, quarterly, people, judgements, forecasting, ods.

Fixtures stay in the ``conftest.py`` beside the tests that use them; what a test needs to
make (a census file, a signed-in person, a synthetic panel) or read back is built here.
"""
