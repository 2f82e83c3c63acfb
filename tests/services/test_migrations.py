"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from issuer import db
from issuer.models import Base


def test_database_is_at_head_and_matches_the_models(app):
    engine = db.engine_of(app)
    scripts = ScriptDirectory.from_config(db.alembic_config(app.config["DATABASE_URL"]))
    heads = set(scripts.get_heads())  # feature branches off 0001 apply side by side
    with engine.connect() as connection:
        applied = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert set(applied) == heads
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_again_is_a_no_op(app):
    heads = ScriptDirectory.from_config(db.alembic_config(app.config["DATABASE_URL"])).get_heads()
    db.migrate(app.config["DATABASE_URL"])
    with db.engine_of(app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == len(heads)
