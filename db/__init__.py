"""The store: models, engine and session setup, migrations and seed files."""
