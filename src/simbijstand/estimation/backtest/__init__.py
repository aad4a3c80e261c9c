"""Backtests: accuracy metrics, baseline forecasts, own forecasts, and the scores per origin."""
