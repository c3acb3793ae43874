from __future__ import annotations

from alembic import context

from zslite.db.base import Base
from zslite.db import models  # noqa: F401  (registers every table on Base.metadata)

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=False,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
