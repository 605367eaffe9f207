"""Scale generator and benchmark runner (`make bench`); not part of the test suite."""
