"""The incremental store (``--state``): what was read of each log, and its tallies in time
buckets, in one SQLite file that dashboards can query (see ``docs/store.md``)."""
