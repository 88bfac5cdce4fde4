"""Forecasts of workforce churn after a judgement, the event study, and early warnings."""
