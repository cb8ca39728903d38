"""Team mode on a real PostgreSQL server."""
