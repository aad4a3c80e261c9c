"""Estimation: fitting the engine's rates to data, and scoring forecasts against what followed.

Named `estimation` so as not to clash with the top-level `calibration/` data folder. Nothing here
runs the engine or writes files; the `calibrate` and `backtest` use cases in `simbijstand.runs`
combine these parts with the engine and write the results.

Sub-packages, one job each (import from them directly; this package re-exports nothing):

- `config`: the calibration config (TOML): schema, loading, cross-checks, stated assumptions;
- `observations`: reading the data series into stocks, flows and group sizes;
- `spells`: individual benefit spells: import, privacy, episodes, hazards, the spell fit;
- `aggregate`: maximum likelihood on aggregate counts, its identifiability, intervals and the
  inflow deviation estimated from its residuals;
- `backtest`: forecast metrics, baseline forecasts and the scores of a backtest.

Modules: `calibrate` fits a config with these parts and returns a `Calibration`;
`parameter_files` turns one into the engine's parameter file (as TOML-ready data);
`elasticity` fits the macro elasticity of calibration/macro; `errors` the errors of this layer.
"""
