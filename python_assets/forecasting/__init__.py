"""Demand forecasting: models, intervals and the rolling-origin backtest that chooses among them."""
