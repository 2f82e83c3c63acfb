"""Revocation and suspension with W3C Bitstring Status Lists: index allocation, list
publication, status changes, and the local lookups that verification uses.

https://www.w3.org/TR/vc-bitstring-status-list/

Every credential gets one index in its issuer profile's current *revocation* list: one
``BitstringStatusListEntry`` object, the single ``credentialStatus`` the 1EdTech OB 3.0 schema
allows. A profile that offers suspension (``IssuerProfile.offers_suspension``) also gives its
credentials an index in its current *suspension* list; their ``credentialStatus`` is then an
array of the two entries (VC 2.0 allows it; the 1EdTech schema and validator do not). Each
list is a signed ``BitstringStatusListCredential`` stored as the exact text served at
/status/<id>, re-signed in the same transaction that flips a bit. Whether a credential can be
suspended follows from its own entries, never from the profile's current setting.

Index allocation (blocks of indexes per worker, never reused, gaps counted) lives in
issuer.services.status_allocation and status_blocks; their public names are re-exported
here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from issuer.exchange_models import HolderCopy
from issuer.models import (
    AdminUser,
    IssuedCredential,
    IssuerProfile,
    SignedCredential,
    StatusEntry,
    StatusEvent,
    StatusList,
)
from issuer.services import ids, urls
from issuer.services.keystore import FileKeyStore
from issuer.services.status_allocation import (  # noqa: F401  (public names of this module)
    ALLOCATION_ATTEMPTS,
    LIST_SIZE,
    MIN_LIST_SIZE,
    PURPOSES,
    Allocation,
    allocate,
    new_list,
    publish,
    purposes_for,
    record,
    record_signed,
    write_lock,
)
from issuer.services.status_blocks import (  # noqa: F401  (public names of this module)
    BLOCK_SIZE,
    ListFigures,
    drop_blocks,
    list_figures,
    reserve,
)
from issuer.services.tx import atomic
from issuer.statuslist import bitstring
from issuer.vcdm import rules
from issuer.vcdm.rules import Violation

# One of our Open Badges (issued here) or a credential signed through the VC-API.
AnyCredential = IssuedCredential | SignedCredential

MAX_REASON_LENGTH = 1000

ACTIVE, REVOKED, SUSPENDED = "active", "revoked", "suspended"
ACTION_FOR_PURPOSE = {"revocation": "revoke", "suspension": "suspend"}
NO_STATUS_ENTRY = "urn:issuer:problem:no-status-entry"


class NoStatusEntry(Conflict):
    """A status change that the credential's own status entries cannot express: suspending
    or reinstating a credential issued with a revocation entry only (or revoking one that
    asked the VC-API for a suspension entry only). Nothing is changed: a bit in a list the
    credential does not name would tell verifiers nothing."""

    title = "The credential has no such status entry"
    problem_type = NO_STATUS_ENTRY

    def __init__(self, purpose: str, action: str):
        self.purpose = purpose
        self.action = action
        if purpose == "suspension":
            message = ("This credential was issued without a suspension status entry, so "
                       "verifiers could never learn of a suspension: it cannot be "
                       f"{'suspended' if action == 'suspend' else 'reinstated'} "
                       "(it can still be revoked).")
        else:
            message = ("This credential was issued without a revocation status entry, so it "
                       "cannot be revoked.")
        super().__init__(message)


# --- who changes a status ------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who changed a status: an admin (by email, with their id) or the command line."""

    label: str
    admin_user_id: int | None = None

    @classmethod
    def admin(cls, user: AdminUser) -> Actor:
        return cls(user.email, user.id)


CLI = Actor("cli")


# --- VC-API: options.credentialStatus --------------------------------------------------------

VCAPI_STATUS_MEMBERS = ("type", "statusPurpose")


def _status_problem(rule: str, path: str, detail: str, *, status: int = 400) -> Exception:
    from issuer.services.vcapi import InvalidCredential  # vcapi is the caller; no import cycle

    return InvalidCredential([Violation(rule, path, detail)], status=status)


def vcapi_status_purposes(requested: Any) -> list[str]:
    """The purposes asked for by VC-API ``options.credentialStatus``: one request object or a
    list of them, each ``{"type": "BitstringStatusListEntry", "statusPurpose": ...}``
    (``statusPurpose`` defaults to "revocation"). 400 InvalidCredential naming the problem."""
    base = "$.options.credentialStatus"
    items = requested if isinstance(requested, list) else [requested]
    if isinstance(requested, list) and not requested:
        raise _status_problem("status-request", base, "give at least one status request, e.g. "
                              '{"type": "BitstringStatusListEntry", "statusPurpose": '
                              '"revocation"}')
    purposes: list[str] = []
    for position, item in enumerate(items):
        path = f"{base}[{position}]" if isinstance(requested, list) else base
        if not isinstance(item, dict):
            raise _status_problem("status-request", path, 'each status request must be an '
                                  'object: {"type": "BitstringStatusListEntry", '
                                  '"statusPurpose": "revocation"}')
        unknown = sorted(set(item) - set(VCAPI_STATUS_MEMBERS))
        if unknown:
            raise _status_problem("status-member", f"{path}.{unknown[0]}",
                                  "unknown member; this issuer chooses the list and index "
                                  f"itself (send {' and '.join(VCAPI_STATUS_MEMBERS)} only)")
        if item.get("type") != bitstring.ENTRY_TYPE:
            raise _status_problem("status-type", f"{path}.type",
                                  f"unsupported status type {item.get('type')!r}; this issuer "
                                  f"supports {bitstring.ENTRY_TYPE}")
        purpose = item.get("statusPurpose", "revocation")
        if purpose not in PURPOSES:
            raise _status_problem("status-purpose", f"{path}.statusPurpose",
                                  f"unsupported statusPurpose {purpose!r}; use "
                                  f"{' or '.join(PURPOSES)}")
        if purpose in purposes:
            raise _status_problem("status-duplicate", f"{path}.statusPurpose",
                                  f"{purpose} is asked for twice")
        purposes.append(purpose)
    return purposes


def vcapi_credential_status(
    session: Session,
    profile: IssuerProfile,
    document: dict[str, Any],
    requested: Any,
    now: datetime,
    *,
    keystore: FileKeyStore,
    base_url: str,
    list_size: int = LIST_SIZE,
) -> tuple[dict[str, Any], list[Allocation]]:
    """Status entries for a credential signed through the VC-API: (the document with
    ``credentialStatus`` — one object for one entry, an array for two — and the allocations,
    for :func:`record_signed` once the SignedCredential row exists, in the same transaction)."""
    purposes = vcapi_status_purposes(requested)
    if rules.version(document) != "2.0":
        raise _status_problem("status-vc-version", "$.@context",
                              f"{bitstring.ENTRY_TYPE} is defined by the VC 2.0 context; "
                              "send a VC 2.0 credential to get status entries", status=422)
    allocations = reserve(session, profile, keystore=keystore, base_url=base_url, now=now,
                          list_size=list_size, purposes=purposes)
    order = {purpose: position for position, purpose in enumerate(purposes)}
    allocations.sort(key=lambda item: order[item.purpose])  # as the caller listed them
    entries = [item.entry() for item in allocations]
    return {**document, "credentialStatus": entries[0] if len(entries) == 1 else entries}, \
        allocations


# --- state of a credential -------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialState:
    """What verifiers see for one of our credentials, for pages and the CLI.

    ``state`` is "active", "revoked" or "suspended" (revoked wins when both bits are set);
    ``reason``, ``since`` and ``by`` come from the status change that set it. ``has_status``
    is false for a credential issued without status entries (it cannot be revoked);
    ``can_suspend`` is true only for one with a suspension entry.
    Expiry is not a state here: it follows from ``validUntil`` (the validity check).
    """

    state: str
    reason: str | None = None
    since: datetime | None = None
    by: str | None = None
    has_status: bool = True
    can_suspend: bool = True

    @property
    def is_active(self) -> bool:
        return self.state == ACTIVE

    def __str__(self) -> str:
        return self.state


def _is_signed(credential: AnyCredential) -> bool:
    return isinstance(credential, SignedCredential)


def _entry_owner(credential: AnyCredential):
    """The WHERE clause for a credential's status entries."""
    if _is_signed(credential):
        return StatusEntry.signed_credential_id == credential.id
    return StatusEntry.credential_id == credential.id


def _event_owner(credential: AnyCredential):
    """The WHERE clause for a credential's status events."""
    if _is_signed(credential):
        return StatusEvent.signed_credential_id == credential.id
    return StatusEvent.credential_id == credential.id


def credential_state(session: Session, credential: AnyCredential) -> CredentialState:
    """The status of one of our credentials (an Open Badge issued here, or a credential
    signed through the VC-API), read from its status lists' bits."""
    rows = session.execute(
        select(StatusEntry.purpose, StatusEntry.list_index, StatusList.bits)
        .join(StatusList, StatusList.id == StatusEntry.list_id)
        .where(_entry_owner(credential))
    ).all()
    if not rows:
        return CredentialState(ACTIVE, has_status=False, can_suspend=False)
    flags = {purpose: bitstring.get_bit(bits, index) for purpose, index, bits in rows}
    can_suspend = "suspension" in flags
    for purpose, state in (("revocation", REVOKED), ("suspension", SUSPENDED)):
        if flags.get(purpose):
            event = _latest_event(session, _event_owner(credential), ACTION_FOR_PURPOSE[purpose])
            if event is None:
                return CredentialState(state, can_suspend=can_suspend)
            return CredentialState(state, event.reason, event.created_at, event.actor,
                                   can_suspend=can_suspend)
    return CredentialState(ACTIVE, can_suspend=can_suspend)


def status_history(session: Session, credential: AnyCredential) -> list[StatusEvent]:
    """Every status change of a credential, newest first."""
    return list(session.scalars(
        select(StatusEvent).where(_event_owner(credential))
        .order_by(StatusEvent.created_at.desc(), StatusEvent.id.desc())
    ))


def _latest_event(session: Session, owner, action: str) -> StatusEvent | None:
    """The newest event with ``action`` matching ``owner`` (an :func:`_event_owner` clause)."""
    return session.scalar(
        select(StatusEvent)
        .where(owner, StatusEvent.action == action)
        .order_by(StatusEvent.created_at.desc(), StatusEvent.id.desc())
        .limit(1)
    )


# --- status changes --------------------------------------------------------------------------


def revoke(session: Session, credential: AnyCredential, *, reason: str, actor: Actor,
           keystore: FileKeyStore, base_url: str, now: datetime) -> CredentialState:
    """Revoke for good (a suspended credential may be revoked). ``reason`` is required; it is
    shown to whoever verifies the credential."""
    return _change(session, credential, "revoke", _reason(reason, required=True), actor=actor,
                   keystore=keystore, base_url=base_url, now=now)


def suspend(session: Session, credential: AnyCredential, *, reason: str | None = None,
            actor: Actor, keystore: FileKeyStore, base_url: str, now: datetime) -> CredentialState:
    """Suspend until reinstated."""
    return _change(session, credential, "suspend", _reason(reason, required=False), actor=actor,
                   keystore=keystore, base_url=base_url, now=now)


def reinstate(session: Session, credential: AnyCredential, *, reason: str | None = None,
              actor: Actor, keystore: FileKeyStore, base_url: str, now: datetime
              ) -> CredentialState:
    """Lift a suspension. A revoked credential cannot be reinstated."""
    return _change(session, credential, "reinstate", _reason(reason, required=False), actor=actor,
                   keystore=keystore, base_url=base_url, now=now)


CHANGE_TO = {REVOKED: "revoke", SUSPENDED: "suspend", ACTIVE: "reinstate"}


def change_to(session: Session, credential: AnyCredential, state: str, *,
              reason: str | None = None, actor: Actor, keystore: FileKeyStore, base_url: str,
              now: datetime) -> CredentialState:
    """Move a credential to ``state`` ("revoked", "suspended" or "active"): :func:`revoke`,
    :func:`suspend` or :func:`reinstate` (with their rules and errors)."""
    if state not in CHANGE_TO:
        raise ValueError(f"unknown state {state!r}")
    change = {"revoke": revoke, "suspend": suspend, "reinstate": reinstate}[CHANGE_TO[state]]
    return change(session, credential, reason=reason, actor=actor, keystore=keystore,
                  base_url=base_url, now=now)


def find_credential(session: Session, credential_id: Any, *, base_url: str) -> AnyCredential:
    """One of our credentials by the id a caller knows: a VC-API-signed credential by its
    ``id``; an Open Badge issued here by its URL or uuid (NotFound otherwise)."""
    if not isinstance(credential_id, str) or not credential_id:
        raise NotFound("no such credential")
    signed = session.scalar(
        select(SignedCredential).where(SignedCredential.credential_id == credential_id))
    if signed is not None:
        return signed
    candidate = credential_id.removeprefix(urls.credential_url(base_url, ""))
    if ids.is_uuid(candidate):
        issued = session.get(IssuedCredential, candidate)
        if issued is not None:
            return issued
        hosted = session.get(SignedCredential, candidate)
        if hosted is not None and hosted.hosted:
            return hosted
    raise NotFound(f"no credential {credential_id!r} on this server")


def _reason(value: str | None, *, required: bool) -> str | None:
    reason = (value or "").strip() or None
    if reason is None and required:
        raise ValidationFailed({"reason": "Give a reason for the revocation."})
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            {"reason": f"The reason may have at most {MAX_REASON_LENGTH} characters."})
    return reason


def _change(session, credential, action, reason, *, actor, keystore, base_url, now
            ) -> CredentialState:
    """Bit flip + list re-signed + event row, in one transaction. For an award (an Open Badge
    issued here), every holder-bound copy of it (issuer.exchange_models.HolderCopy) follows:
    revoked, suspended or reinstated with it, in the same transaction (a copy already in the
    wanted state is left as it is)."""
    with atomic(session):
        write_lock(session)
        copies: list[AnyCredential] = [] if _is_signed(credential) else list(session.scalars(
            select(SignedCredential)
            .join(HolderCopy, HolderCopy.signed_credential_id == SignedCredential.id)
            .where(HolderCopy.credential_id == credential.id)
            .order_by(SignedCredential.id)))
        entries = {item.id: _entries_of(session, item) for item in [credential, *copies]}
        own = entries[credential.id]
        if not own:
            raise InvalidRequest(
                "this credential was issued without status list entries, so verifiers cannot "
                "learn of a revocation or suspension")
        # Every list involved, locked in PURPOSES order (then by id), like allocation, so two
        # changes never deadlock.
        wanted = {(PURPOSES.index(entry.purpose), entry.list_id)
                  for found in entries.values() for entry in found.values()}
        lists = {list_id: _locked_list(session, list_id) for _, list_id in sorted(wanted)}
        flipped = [(item, _flip(entries[item.id], lists, action, strict=item is credential))
                   for item in [credential, *copies]]
        for row in {changed.id: changed for _, changed in flipped if changed is not None}.values():
            publish(row, row.profile, keystore=keystore, base_url=base_url, now=now)
        if not _is_signed(credential):  # the column the lists and dashboard filter on
            credential.status_state = (ACTIVE if action == "reinstate"
                                       else REVOKED if action == "revoke" else SUSPENDED)
        session.add_all(
            StatusEvent(**_event_owner_values(item), action=action, reason=reason,
                        actor=actor.label[:254], admin_user_id=actor.admin_user_id,
                        created_at=now)
            for item, changed in flipped if changed is not None)
    return credential_state(session, credential)


def _entries_of(session: Session, credential: AnyCredential) -> dict[str, StatusEntry]:
    return {entry.purpose: entry
            for entry in session.scalars(select(StatusEntry).where(_entry_owner(credential)))}


def _event_owner_values(credential: AnyCredential) -> dict[str, str]:
    return ({"signed_credential_id": credential.id} if _is_signed(credential)
            else {"credential_id": credential.id})


def _flip(entries: dict[str, StatusEntry], lists: dict[str, StatusList], action: str, *,
          strict: bool) -> StatusList | None:
    """Set (or clear, to reinstate) the credential's bit for ``action`` in its locked list; the
    list changed (to publish), or None when nothing changed. ``strict``: a change that does
    not apply (already revoked, not suspended...) is a Conflict, and one the credential has no
    entry for is a NoStatusEntry; otherwise (a copy following its award) it is skipped."""
    purpose = "revocation" if action == "revoke" else "suspension"
    revoked = "revocation" in entries and bitstring.get_bit(
        lists[entries["revocation"].list_id].bits, entries["revocation"].list_index)
    suspended = "suspension" in entries and bitstring.get_bit(
        lists[entries["suspension"].list_id].bits, entries["suspension"].list_index)
    refusal = None
    if revoked:
        refusal = {
            "revoke": "The credential is already revoked.",
            "suspend": "The credential is revoked; revocation is permanent.",
            "reinstate": "A revoked credential cannot be reinstated; revocation is permanent.",
        }[action]
    elif purpose not in entries:  # e.g. issued with a revocation entry only (the default)
        if strict:
            raise NoStatusEntry(purpose, action)
        return None
    elif action == "suspend" and suspended:
        refusal = "The credential is already suspended."
    elif action == "reinstate" and not suspended:
        refusal = "The credential is not suspended."
    if refusal is not None:
        if strict:
            raise Conflict(refusal)
        return None
    changed = lists[entries[purpose].list_id]
    bits = bytearray(changed.bits)
    bitstring.set_bit(bits, entries[purpose].list_index, action != "reinstate")
    changed.bits = bytes(bits)
    return changed


def _locked_list(session: Session, list_id: str) -> StatusList:
    """The list row, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite holds the
    write lock already), with fresh values even if the session had loaded it before."""
    return session.scalars(
        select(StatusList).where(StatusList.id == list_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# --- serving and verification ----------------------------------------------------------------


@dataclass(frozen=True)
class PublishedList:
    document: str
    sha256: str


def published_list(session: Session, list_id: str) -> PublishedList:
    """The signed list credential as served: one indexed read, nothing signed."""
    found = session.execute(
        select(StatusList.document, StatusList.document_sha256).where(StatusList.id == list_id)
    ).one_or_none() if ids.is_uuid(list_id) else None
    if found is None:
        raise NotFound(f"no status list {list_id!r}")
    return PublishedList(*found)


def local_status_list(session: Session, url: str, base_url: str) -> dict[str, Any] | None:
    """Our own list credential at ``url`` (read from the database, no HTTP to ourselves);
    None when the URL is not ours. A URL of ours that names no list raises LookupError."""
    prefix = urls.status_list_url(base_url, "")
    if not url.startswith(prefix):
        return None
    try:
        found = published_list(session, url[len(prefix):])
    except NotFound:
        raise LookupError(f"this server has no status list {url}") from None
    return json.loads(found.document)


def status_reason(session: Session, credential: dict[str, Any], purpose: str) -> str | None:
    """Why one of our credentials is revoked/suspended (the reason recorded with the change),
    found through its status entry; None for anyone else's credential or when none was given."""
    raw = credential.get("credentialStatus") if isinstance(credential, dict) else None
    for entry in raw if isinstance(raw, list) else [raw]:
        if not isinstance(entry, dict) or entry.get("statusPurpose") != purpose:
            continue
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or "/status/" not in url:
            continue
        base_url, _, list_id = url.rpartition("/status/")
        try:
            index = int(str(entry.get("statusListIndex")), 10)
        except ValueError:
            continue
        if not ids.is_uuid(list_id):
            continue
        found = session.execute(
            select(StatusEntry.credential_id, StatusEntry.signed_credential_id,
                   SignedCredential.credential_id)
            .outerjoin(SignedCredential, SignedCredential.id == StatusEntry.signed_credential_id)
            .where(StatusEntry.list_id == list_id, StatusEntry.list_index == index)
        ).one_or_none()
        if found is None:
            continue
        issued_id, signed_id, signed_document_id = found
        if issued_id is not None:
            if credential.get("id") != urls.credential_url(base_url, issued_id):
                continue
            owner = StatusEvent.credential_id == issued_id
        else:
            if credential.get("id") != signed_document_id:
                continue
            owner = StatusEvent.signed_credential_id == signed_id
        event = _latest_event(session, owner, ACTION_FOR_PURPOSE.get(purpose, ""))
        if event is not None:
            return event.reason
    return None

