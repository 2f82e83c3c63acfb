"""ORM tables of the fast issuing path (issue 13, item 3), on the shared declarative Base of
issuer.models.

``StatusIndexBlock``: a run of a status list's counter positions ``[first, first + count)``
reserved by one worker process in one short transaction (issuer.services.status_blocks). The
worker hands its positions out without a database round trip; whatever it does not hand out
(it stopped, a credential failed) is a gap: never used by anyone, counted in the list's
figures (``reserved - used``). The list's ``allocated`` counter counts reserved positions,
gaps included, so a list is rolled over when its capacity including gaps is spent.

``CacheGeneration``: shared version counters (one row per name). Workers cache the active
key, issuer profiles, achievements and API tokens per process under the generation they
read once per request; every transaction that changes one of them bumps the counter in the
same transaction (issuer.services.issuing_cache), so every worker on every host sees the
change on its next request.
"""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from issuer.community.models import AwardRuleComponent
from issuer.endorsement_models import IssuedEndorsement, ReceivedEndorsement
from issuer.models import (
    Achievement,
    ApiToken,
    Base,
    IssuerProfile,
    OAuthClient,
    SigningKey,
    UTCDateTime,
)
from issuer.webhooks.models import WebhookEndpoint

GENERATION = "issuing"
# Endorsements are embedded in the achievement and profile of every credential issued after
# they are attached (issuer.services.achievements/profiles.to_open_badges); whether a
# credential has webhook subscribers or may complete a meta badge is cached too
# (issuer.webhooks.hooks, issuer.community.hooks).
WATCHED = (IssuerProfile, SigningKey, Achievement, OAuthClient, ApiToken, IssuedEndorsement,
           ReceivedEndorsement, WebhookEndpoint, AwardRuleComponent)
WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)
QUIET = "issuer_cache_quiet"  # execution option: this statement changes nothing cached
SEEN_GENERATION = "issuer.issuing_cache.generation"  # Session.info: the value read
# Session.info: this transaction bumped the generation; until it ends, what it reads may be
# its own uncommitted change, which no cache may keep (issuer.services.issuing_cache).
BUMPED = "issuer.issuing_cache.bumped"


class StatusIndexBlock(Base):
    """Counter positions of one status list reserved by one worker (see the module doc)."""

    __tablename__ = "status_index_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id"), index=True)
    first: Mapped[int] = mapped_column(Integer)  # the list counter's first reserved position
    count: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(200))  # host:pid of the worker
    reserved_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("list_id", "first"),
        CheckConstraint("first >= 0 AND count > 0", name="positive_block"),
    )

    def __repr__(self) -> str:
        return (f"StatusIndexBlock(list_id={self.list_id!r}, first={self.first!r}, "
                f"count={self.count!r}, holder={self.holder!r})")


class CacheGeneration(Base):
    """A shared version counter: caches built under another value are stale."""

    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


def bump(session: Session) -> None:
    """Invalidate every process's caches when this transaction commits."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CacheGeneration).values(name=GENERATION, value=1)
    session.execute(statement.on_conflict_do_update(
        index_elements=["name"], set_={"value": CacheGeneration.value + 1}))
    session.info.pop(SEEN_GENERATION, None)
    session.info[BUMPED] = True


def _changes_cached_data(obj: Any, *, new: bool) -> bool:
    if not isinstance(obj, WATCHED):
        return False
    if isinstance(obj, ApiToken):
        if new:
            return False  # no cache can hold a token that did not exist
        changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
        return bool(changed - {"last_used_at"})
    return True


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, _context, _instances) -> None:
    if (any(_changes_cached_data(obj, new=True) for obj in session.new)
            or any(_changes_cached_data(obj, new=False)
                   for obj in chain(session.dirty, session.deleted))):
        bump(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session, *_args) -> None:
    session.info.pop(BUMPED, None)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or state.execution_options.get(QUIET):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES:
        bump(state.session)
