"""Team mode: the cases in a shared PostgreSQL database (`--db postgresql://...`). Loaded only
when a URL is given, so the local start never imports the driver (psycopg). The same documents
and list columns as the local file (`codec`, `columns`), with full-text search on a `tsvector`,
authors and owners set by the server from the connected role, and an append-only event log that
the server enforces."""
