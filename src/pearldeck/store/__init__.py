"""All file I/O: pearl files, review logs, settings and the SQLite index."""
