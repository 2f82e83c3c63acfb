"""Status list index allocation: which index of which list a new credential gets.

Allocation (safe with many workers on several machines; the database holds all state):

- A list has a secret 32-byte key and a counter ``allocated``. Counter position n gets
  ``permutation.index_at(key, n, size)``, a keyed pseudo-random permutation of ``[0, size)``:
  random-looking indexes, unique by construction (never reused, not even after a revocation),
  and the list is full exactly when the counter reaches ``size``. The primary key
  (list_id, list_index) of ``status_entries`` backs this up.
- Issuing paths take positions from blocks each worker reserves (issuer.services
  .status_blocks: :func:`~issuer.services.status_blocks.reserve`); the counter counts every
  reserved position, used or not (gaps), so a list rolls over when its capacity including
  gaps is spent.
- :func:`allocate` takes one position per credential in the caller's transaction (kept for
  callers that need the index to roll back with their work).
- At most one list per profile and purpose is current (a partial unique index). A full list
  is retired and a new one created inside a SAVEPOINT; a worker that loses that race rolls
  back to the savepoint and uses the winner's list.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import Conflict
from issuer.models import IssuedCredential, IssuerProfile, SignedCredential, StatusEntry, StatusList
from issuer.services import profiles, urls
from issuer.services.keystore import FileKeyStore
from issuer.services.signing import sign_credential
from issuer.statuslist import bitstring, permutation

PURPOSES = ("revocation", "suspension")  # also the order in which list rows are locked
LIST_SIZE = bitstring.MIN_LIST_LENGTH  # 131,072 indexes per list (the spec's minimum)
MIN_LIST_SIZE = 8  # smaller sizes are for tests; the published bitstring never shrinks
ALLOCATION_ATTEMPTS = 32  # each failed attempt means another worker made progress


def purposes_for(profile: IssuerProfile) -> tuple[str, ...]:
    """The status purposes a new credential of ``profile`` gets: revocation, and suspension
    too when the profile offers it."""
    return PURPOSES if profile.offers_suspension else ("revocation",)


# --- allocation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """An index reserved for a credential in one status list."""

    list_id: str
    purpose: str
    index: int
    list_url: str

    def entry(self) -> dict[str, Any]:
        """The credential's ``BitstringStatusListEntry``."""
        return bitstring.status_entry(list_url=self.list_url, index=self.index,
                                      purpose=self.purpose)


def allocate(
    session: Session,
    profile: IssuerProfile,
    *,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    list_size: int = LIST_SIZE,
    purposes: Iterable[str] = PURPOSES,
) -> list[Allocation]:
    """One fresh index in each of the profile's current lists (revocation, suspension; or only
    ``purposes``), in the caller's transaction. Creates the lists (signed, empty) when the
    profile has none yet or the current one is full. Then call :func:`record` (or
    :func:`record_signed`) once the credential row exists."""
    check_arguments(list_size, purposes)
    wanted = set(purposes)
    session.flush()  # the caller's pending rows: their errors are not for our SAVEPOINTs
    write_lock(session)
    return [
        _allocate_one(session, profile, purpose, keystore=keystore, base_url=base_url, now=now,
                      list_size=list_size)
        for purpose in PURPOSES if purpose in wanted  # always locked in PURPOSES order
    ]


def record(session: Session, allocations: Iterable[Allocation],
           credential: IssuedCredential) -> None:
    """Remember which credential got the allocated indexes (the caller's transaction)."""
    session.add_all(
        StatusEntry(list_id=item.list_id, list_index=item.index, purpose=item.purpose,
                    credential=credential)
        for item in allocations
    )


def record_signed(session: Session, allocations: Iterable[Allocation],
                  credential: SignedCredential) -> None:
    """:func:`record` for a credential signed through the VC-API."""
    session.add_all(
        StatusEntry(list_id=item.list_id, list_index=item.index, purpose=item.purpose,
                    signed_credential=credential)
        for item in allocations
    )


def _allocate_one(session, profile, purpose, *, keystore, base_url, now, list_size) -> Allocation:
    table = StatusList.__table__
    for _attempt in range(ALLOCATION_ATTEMPTS):
        current = session.scalar(
            select(StatusList.id).where(StatusList.profile_id == profile.id,
                                        StatusList.purpose == purpose,
                                        StatusList.is_current.is_(True))
        )
        if current is None:
            open_list(session, profile, purpose, retire=None, keystore=keystore,
                       base_url=base_url, now=now, list_size=list_size)
            continue
        taken = session.execute(
            table.update()
            .where(table.c.id == current, table.c.is_current.is_(True),
                   table.c.allocated < table.c.size)
            .values(allocated=table.c.allocated + 1)
            .returning(table.c.allocated, table.c.size, table.c.permutation_key)
        ).one_or_none()
        if taken is None:  # full (or retired by another worker meanwhile)
            open_list(session, profile, purpose, retire=current, keystore=keystore,
                       base_url=base_url, now=now, list_size=list_size)
            continue
        allocated, size, key = taken
        return Allocation(current, purpose, permutation.index_at(key, allocated - 1, size),
                          urls.status_list_url(base_url, current))
    raise Conflict("could not reserve a status list index; try again")


def open_list(session, profile, purpose, *, retire, keystore, base_url, now, list_size) -> None:
    """Retire the full list ``retire`` (if given) and make a new current one, in a SAVEPOINT.
    If another worker got there first, roll back to the savepoint and leave it to theirs."""
    table = StatusList.__table__
    try:
        with session.begin_nested():
            if retire is not None:
                retired = session.execute(
                    table.update()
                    .where(table.c.id == retire, table.c.is_current.is_(True),
                           table.c.allocated >= table.c.size)
                    .values(is_current=False, updated_at=now)
                ).rowcount
                if not retired:
                    return  # another worker retired it; its successor is current
            new_list(session, profile, purpose, keystore=keystore, base_url=base_url, now=now,
                     size=list_size)
    except IntegrityError:
        return  # another worker's new list is current (unique index); the caller re-reads


def new_list(
    session: Session,
    profile: IssuerProfile,
    purpose: str,
    *,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    size: int = LIST_SIZE,
) -> StatusList:
    """A new, empty, signed current list (flushed; the caller's transaction)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    length = max(bitstring.MIN_LIST_LENGTH, -(-size // 8) * 8)
    row = StatusList(
        id=str(uuid.uuid4()), profile_id=profile.id, purpose=purpose, size=size, allocated=0,
        is_current=True, permutation_key=secrets.token_bytes(permutation.KEY_BYTES),
        bits=bytes(bitstring.new_bitstring(length)), created_at=now, updated_at=now,
    )
    publish(row, profile, keystore=keystore, base_url=base_url, now=now)
    session.add(row)
    session.flush()
    return row


def publish(row: StatusList, profile: IssuerProfile, *, keystore: FileKeyStore, base_url: str,
             now: datetime) -> None:
    """Sign the list credential for the row's current bits with the profile's active key and
    store its exact text (what /status/<id> serves) and that text's SHA-256 (its ETag)."""
    unsigned = bitstring.list_credential(
        list_url=urls.status_list_url(base_url, row.id),
        issuer=profiles.profile_did(profile, base_url),
        purpose=row.purpose,
        bitstring=row.bits,
        valid_from=row.created_at,
    )
    key = profiles.active_key(profile, keystore)
    signed = sign_credential(unsigned, keystore=keystore, key=key, created=now)
    document = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
    row.document = document
    row.document_sha256 = hashlib.sha256(document.encode("utf-8")).hexdigest()
    row.updated_at = now


def write_lock(session: Session) -> None:
    """On SQLite, take the database's write lock now, before this transaction reads what it
    is about to change (BEGIN IMMEDIATE semantics: pysqlite starts transactions at the first
    write, and a reader that later wants to write can fail with "database is locked").
    PostgreSQL locks the rows themselves (UPDATE … RETURNING, SELECT … FOR UPDATE)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE status_lists SET allocated = allocated WHERE 1 = 0"))


def check_arguments(list_size: int, purposes: Iterable[str]) -> None:
    if list_size < MIN_LIST_SIZE:
        raise ValueError(f"a status list hands out at least {MIN_LIST_SIZE} indexes")
    wanted = set(purposes)
    if not wanted or not wanted <= set(PURPOSES):
        raise ValueError(f"status purposes must be some of {PURPOSES}, not {sorted(wanted)}")
