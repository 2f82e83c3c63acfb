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

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models import Base, UTCDateTime


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
