"""The event store: the event schema as stored, the append-only log in Parquet segments, the
manifest with checksums, verification and replay to a state at a date.
"""
