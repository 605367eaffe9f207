"""The living report (static, offline HTML) and what a release adds to the Parquet export.

Heavy imports (duckdb, pandas, altair, vl-convert) live in the submodules, imported when used.
"""
