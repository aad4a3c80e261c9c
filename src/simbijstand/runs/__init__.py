"""The application layer: the use cases that tie the layers below together.

One run end to end (`run`), finishing an interrupted one (`resume`), running chunks of
replications here or on a Dask cluster (`execution`, `dask_cluster`), checkpoints and the run
record, comparing scenarios (`compare`), backtesting forecasts (`backtest`) and calibrating rates
(`calibrate`). Only the CLI and the public API sit above it.
"""
