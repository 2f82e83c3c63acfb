"""Alembic environment: run by ``issuer init`` and the tests through issuer.db.migrate()."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

import issuer.community.models  # noqa: F401  (issue 7: registers the community tables)
import issuer.endorsement_models  # noqa: F401  (issue 15: registers the endorsement tables)
import issuer.exchange_models  # noqa: F401  (issue 12: registers the wallet exchange tables)
import issuer.issuing_models  # noqa: F401  (issue 13: status index blocks, cache generations)
import issuer.oid4vci_models  # noqa: F401  (issue 12: registers the OpenID4VCI tables)
import issuer.admin_models  # noqa: F401  (issue 14: admin roles, invitations, audit log)
import issuer.obapi.models  # noqa: F401  (issue 15: registers the OB 3.0 API tables)
import issuer.reminder_models  # noqa: F401  (issue 14: registers the expiry reminder tables)
import issuer.render_models  # noqa: F401  (issue 13: registers the public pages' caches)
from issuer.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
