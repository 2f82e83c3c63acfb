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


def test_0011_turns_suspension_off_for_existing_profiles(tmp_path):
    """Upgrading keeps every profile and gives each offers_suspension = false (the default:
    one revocation entry per new credential); downgrading drops the column again."""
    from alembic import command
    from sqlalchemy import create_engine

    url = f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    db.migrate(url, "0010")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO issuer_profiles (slug, is_default, name, created_at, updated_at) "
                "VALUES ('main', 1, 'Old Profile', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        db.migrate(url, "0011")
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT slug, name, offers_suspension FROM issuer_profiles")).all() == [
                ("main", "Old Profile", 0)]
        command.downgrade(db.alembic_config(url), "0010")
        with engine.connect() as connection:
            columns = [row[1] for row in connection.execute(text(
                "PRAGMA table_info(issuer_profiles)"))]
            assert "offers_suspension" not in columns and "slug" in columns
            assert connection.execute(text("SELECT name FROM issuer_profiles")).scalar() == \
                "Old Profile"
    finally:
        engine.dispose()
