"""The aggregate fit: maximum likelihood of the engine's expected path on observed counts, with
identifiability, intervals of derived values, and the inflow deviation from its residuals."""
