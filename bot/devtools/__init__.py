"""Development tools kept apart from production code: stand-ins and sample data."""
