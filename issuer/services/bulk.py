"""Bulk issuance from a CSV file: check every row first (the preview), then issue the rows in
the background (issuer.services.bulk_worker: in batches, one commit per batch), never twice.

CSV columns (a header row is required; names are case-insensitive, in any order):

| column               | required | meaning                                                    |
|----------------------|----------|------------------------------------------------------------|
| `email`              | yes      | the recipient's email (identifies them, stored hashed)     |
| `name`               | no       | the recipient's name                                       |
| `did`                | no       | the recipient's DID (becomes credentialSubject.id)         |
| `valid_until`        | no       | `2027-06-30` (end of that day, UTC) or a date-time with a zone |
| `evidence_url`       | no       | an http(s) link to the evidence                            |
| `evidence_narrative` | no       | what the evidence shows (Markdown)                         |

Row numbers are line numbers in the file (the header is line 1). Each row's key is SHA-256 of
the achievement id, the normalised email and the rest of the row, so the same row issued by
any earlier run (of this or another file) is skipped, not issued again: the key is stored with
the credential, in its transaction, under a unique constraint.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.clock import parse_datetime
from issuer.errors import (
    InvalidRequest,
    NotFound,
    ValidationFailed,
    join_messages,
)
from issuer.models import Achievement, AdminUser, BulkJob, BulkRow, IdempotencyKey
from issuer.services import achievements, idempotency, ids, issuance, urls

COLUMNS = ("email", "name", "did", "valid_until", "evidence_url", "evidence_narrative")
MAX_ROWS = 100_000
CHUNK_ROWS = 100  # rows per background task
# Row and job states (see models.BulkRow / BulkJob).
PENDING, ISSUED, SKIPPED, INVALID, FAILED = "pending", "issued", "skipped", "invalid", "failed"
JOB_INVALID, JOB_READY, JOB_QUEUED, JOB_RUNNING, JOB_DONE = (
    "invalid", "ready", "queued", "running", "done")
_FIELD_NAMES = {"email": "email", "name": "name", "did": "did", "valid_until": "valid_until",
                "evidence_url": "evidence_url", "evidence_narrative": "evidence_narrative",
                "achievement": "achievement"}


@dataclass(frozen=True)
class CheckedRow:
    """One row after the preview's checks."""

    line: int
    email: str
    name: str | None
    did: str | None
    valid_until: datetime | None
    evidence_url: str | None
    evidence_narrative: str | None
    row_key: str
    status: str  # PENDING (will be issued), SKIPPED (issued before) or INVALID
    errors: tuple[str, ...] = ()
    credential_id: str | None = None  # SKIPPED: the credential issued before


@dataclass(frozen=True)
class Preview:
    achievement: Achievement | None
    rows: tuple[CheckedRow, ...]
    file_errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.status == INVALID for row in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


@dataclass(frozen=True)
class Progress:
    job_id: str
    status: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.total - self.counts.get(PENDING, 0)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    def to_json(self) -> dict:
        return {"id": self.job_id, "status": self.status, "total": self.total,
                "done": self.done, "percent": self.percent,
                **{name: self.counts.get(name, 0)
                   for name in (PENDING, ISSUED, SKIPPED, FAILED, INVALID)}}


# -- reading and checking ---------------------------------------------------------------------


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(rows as (line, {column: value}), file errors). Blank lines are skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."]
    if "\x00" in text:
        return [], ["The file contains NUL characters; it is not a CSV text file."]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [f"Line 1 is not valid CSV: {exc}."]
    if not header or not any(cell.strip() for cell in header):
        return [], ["The file is empty: it needs a header row naming the columns, e.g. "
                    "email,name."]
    names = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in header]
    errors = [f"Unknown column “{header[i].strip()}”: use {', '.join(COLUMNS)}."
              for i, name in enumerate(names) if name not in COLUMNS]
    if "email" not in names:
        errors.append("The header has no “email” column.")
    duplicated = sorted({name for name in names if names.count(name) > 1 and name})
    errors.extend(f"The column “{name}” appears twice." for name in duplicated)
    if errors:
        return [], errors
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(names):
                errors.append(f"Row {line}: {len(cells)} values for {len(names)} columns "
                              "(a comma inside a value needs quotes).")
                continue
            rows.append((line, {name: (cells[i] if i < len(cells) else "").strip()
                                for i, name in enumerate(names)}))
            if len(rows) > MAX_ROWS:
                return [], [f"The file has more than {MAX_ROWS} rows; split it."]
    except csv.Error as exc:
        errors.append(f"Row {reader.line_num}: not valid CSV ({exc}).")
    if not rows and not errors:
        errors.append("The file has a header but no rows.")
    return rows, errors


def parse_valid_until(value: str) -> datetime | None:
    """``2027-06-30`` (end of that day, UTC) or a date-time with a zone; ValueError else."""
    if not value:
        return None
    if len(value) == 10:
        day = datetime.strptime(value, "%Y-%m-%d").date()
        return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)
    return parse_datetime(value).astimezone(timezone.utc).replace(microsecond=0)


def row_key(achievement_id: str, email: str, name: str | None, did: str | None,
            valid_until: datetime | None, evidence_url: str | None,
            evidence_narrative: str | None) -> str:
    """Job-independent identity of a row: the same row in any file has the same key."""
    parts = [achievement_id, email, name or "", did or "",
             valid_until.isoformat() if valid_until else "", evidence_url or "",
             evidence_narrative or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def preview(session: Session, *, achievement_id: str, data: bytes, now: datetime) -> Preview:
    """Check every row (nothing is written): bad values, duplicates within the file, and rows
    an earlier run issued already."""
    try:
        achievement = achievements.get_achievement(session, achievement_id)
    except NotFound:
        return Preview(None, (), (f"Unknown achievement “{achievement_id}”: choose an existing "
                                  "achievement.",))
    raw_rows, file_errors = read_csv(data)
    checked: list[CheckedRow] = []
    first_line_of: dict[str, int] = {}
    for line, values in raw_rows:
        errors: list[str] = []
        try:
            valid_until = parse_valid_until(values.get("valid_until", ""))
        except ValueError:
            valid_until = None
            errors.append("valid_until: use a date such as 2027-06-30 (or "
                          "2027-06-30T12:00:00Z).")
        request = issuance.IssueRequest(
            achievement_id=achievement.id, email=values.get("email", ""),
            name=values.get("name") or None, did=values.get("did") or None,
            valid_until=valid_until, evidence_url=values.get("evidence_url") or None,
            evidence_narrative=values.get("evidence_narrative") or None,
        )
        try:
            ok = issuance.check_request(session, request, now=now)
        except ValidationFailed as exc:
            ok = None
            errors.extend(f"{_FIELD_NAMES.get(name, name)}: {message}"
                          for name, message in exc.errors.items())
        email = ok.email if ok else (request.email or "").strip().lower()
        evidence = ok.evidence[0] if ok and ok.evidence else None
        key = row_key(achievement.id, email, ok.name if ok else request.name,
                      ok.did if ok else request.did, valid_until,
                      evidence.id if evidence else None,
                      evidence.narrative if evidence else None)
        if not errors and key in first_line_of:
            errors.append(f"duplicate of row {first_line_of[key]}: the same recipient and "
                          "values; remove one.")
        first_line_of.setdefault(key, line)
        checked.append(CheckedRow(
            line=line, email=email[:254], name=request.name, did=request.did,
            valid_until=valid_until, evidence_url=request.evidence_url,
            evidence_narrative=request.evidence_narrative, row_key=key,
            status=INVALID if errors else PENDING, errors=tuple(errors),
        ))
    issued_before = _issued_keys(session, [row.row_key for row in checked
                                           if row.status == PENDING])
    checked = [
        replace(row, status=SKIPPED, credential_id=issued_before[row.row_key])
        if row.status == PENDING and row.row_key in issued_before else row
        for row in checked
    ]
    return Preview(achievement, tuple(checked), tuple(file_errors))


def _issued_keys(session: Session, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        batch = keys[start:start + 500]
        found.update(session.execute(
            select(IdempotencyKey.key, IdempotencyKey.credential_id).where(
                IdempotencyKey.scope == idempotency.BULK_SCOPE, IdempotencyKey.key.in_(batch))
        ).all())
    return found


# -- jobs -------------------------------------------------------------------------------------


def create_job(
    session: Session, checked: Preview, *, filename: str, now: datetime,
    created_by: AdminUser | None = None,
) -> BulkJob:
    """Save the previewed file as a job (the caller commits). A job with errors is kept to
    show them, but cannot start."""
    if checked.achievement is None:
        raise ValidationFailed({"achievement": checked.file_errors[0]})
    job = BulkJob(
        id=str(uuid.uuid4()), achievement=checked.achievement,
        filename=(filename or "upload.csv")[:255],
        status=JOB_READY if checked.ok else JOB_INVALID, total_rows=len(checked.rows),
        created_at=now, created_by_id=created_by.id if created_by is not None else None,
    )
    session.add(job)
    session.flush()
    session.execute(BulkRow.__table__.insert(), [
        {"job_id": job.id, "line": row.line, "email": row.email, "name": row.name,
         "did": row.did, "valid_until": row.valid_until, "evidence_url": row.evidence_url,
         "evidence_narrative": row.evidence_narrative, "row_key": row.row_key,
         "status": row.status, "error": join_messages(row.errors) or None,
         "credential_id": row.credential_id}
        for row in checked.rows
    ] or [])
    return job


def get_job(session: Session, job_id: str) -> BulkJob:
    return ids.get_or_not_found(session, BulkJob, job_id, "bulk job")


def list_jobs(session: Session, *, limit: int = 20) -> list[BulkJob]:
    return list(session.scalars(select(BulkJob).order_by(BulkJob.created_at.desc()).limit(limit)))


def pending_chunks(session: Session, job: BulkJob) -> list[tuple[int, int]]:
    """(first line, last line) ranges of at most CHUNK_ROWS pending rows each."""
    lines = list(session.scalars(
        select(BulkRow.line).where(BulkRow.job_id == job.id, BulkRow.status == PENDING)
        .order_by(BulkRow.line)
    ))
    return [(chunk[0], chunk[-1]) for chunk in
            (lines[i:i + CHUNK_ROWS] for i in range(0, len(lines), CHUNK_ROWS))]


def start_job(session: Session, job: BulkJob, *, now: datetime) -> list[tuple[int, int]]:
    """Mark a checked job queued and return the chunks to enqueue (the caller commits, then
    enqueues). Also resumes a job whose worker stopped: only pending rows are listed."""
    if job.status == JOB_INVALID:
        raise InvalidRequest("this file has errors; fix them and upload it again")
    chunks = pending_chunks(session, job)
    if not chunks:
        job.status = JOB_DONE
        job.finished_at = job.finished_at or now
        return []
    job.status = JOB_QUEUED
    job.started_at = job.started_at or now
    job.finished_at = None
    return chunks


def progress(session: Session, job: BulkJob) -> Progress:
    counts = dict(session.execute(
        select(BulkRow.status, func.count()).where(BulkRow.job_id == job.id)
        .group_by(BulkRow.status)
    ).all())
    session.refresh(job, ["status"])
    return Progress(job.id, job.status, job.total_rows, counts)


def job_rows(session: Session, job: BulkJob, *, statuses: Iterable[str] | None = None,
             limit: int | None = None) -> list[BulkRow]:
    query = select(BulkRow).where(BulkRow.job_id == job.id).order_by(BulkRow.line)
    if statuses is not None:
        query = query.where(BulkRow.status.in_(list(statuses)))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


RESULT_COLUMNS = ("row", "email", "name", "status", "credential_url", "error")


def results_csv(session: Session, job: BulkJob, *, base_url: str) -> str:
    """Row → credential URL or error, as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RESULT_COLUMNS)
    for row in job_rows(session, job):
        url = urls.credential_url(base_url, row.credential_id) if row.credential_id else ""
        writer.writerow([row.line, _safe_cell(row.email), _safe_cell(row.name or ""),
                         row.status, url,
                         _safe_cell(row.error or "")])
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
