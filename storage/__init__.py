"""SQLAlchemy 2.x storage: models, repositories returning domain objects, migrations."""
