"""The calibration config: its TOML schema, loading with checks, and the assumptions it states."""
