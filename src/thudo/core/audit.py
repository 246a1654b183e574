"""Append-only, hash-chained audit log (who, what verb, which object, when, from where, changes).

Every action calls :func:`record` inside its transaction. The chain head row is locked while a
record is appended, so records are strictly ordered and ``seq`` has no gaps. Reads of personal
data by officials are recorded too (Decree 13/2023/NĐ-CP, art. 27; Law 91/2025/QH15).
"""

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from thudo.core import logs, metrics
from thudo.core.context import current_ip
from thudo.core.models import AuditChainHead, AuditRecord

GENESIS = "0" * 64


def _canonical(rec: AuditRecord) -> bytes:
    body = {
        "seq": rec.seq,
        "at": rec.at.isoformat(),
        "actor_id": rec.actor_id,
        "actor_label": rec.actor_label,
        "verb": rec.verb,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_label": rec.object_label,
        "ip": rec.ip,
        "changes": rec.changes,
        "prev_hash": rec.prev_hash,
    }
    if rec.request_id:  # records written before request ids (and outside requests) hash as before
        body["request_id"] = rec.request_id
    return json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def compute_hash(rec: AuditRecord) -> str:
    return hashlib.sha256(_canonical(rec)).hexdigest()


def _object_ref(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return type(obj).__name__, "", str(obj)[:255]
    return meta.label_lower, str(obj.pk), str(obj)[:255]


def _jsonable(changes: dict[str, Any] | None) -> dict[str, Any]:
    if not changes:
        return {}
    result: dict[str, Any] = json.loads(json.dumps(changes, cls=DjangoJSONEncoder, ensure_ascii=False))
    return result


def record(
    verb: str,
    *,
    by: Any = None,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
    wait_for_disk: bool = True,
) -> AuditRecord:
    """Append one audit record. Call inside the action's transaction.

    ``wait_for_disk=False`` is for a record written in its own transaction (an official reading
    personal data): on PostgreSQL the commit then returns before the WAL reaches the disk
    (``synchronous_commit = off`` for this transaction only), so the chain head is not held
    through a disk flush on every read. A crash of the database server can lose the last few
    hundred milliseconds of such records, never a part of the chain (ADR 0003)."""
    started = time.perf_counter()
    object_type, object_id, object_label = _object_ref(obj)
    actor_id = getattr(by, "pk", None) if by is not None and getattr(by, "is_authenticated", False) else None
    # No savepoint inside the caller's transaction: a failed append must fail the whole action
    # anyway, and the savepoint cost two statements on every audited write.
    with transaction.atomic(savepoint=False):
        if not wait_for_disk and connection.vendor == "postgresql" and not _in_outer_transaction():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        rec = AuditRecord(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor_id=actor_id,
            actor_label=str(by)[:200] if actor_id else "",
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            object_label=object_label,
            ip=ip if ip is not None else current_ip.get(),
            changes=_jsonable(changes),
            request_id=logs.current_request_id()[:64],
            prev_hash=head.last_hash,
        )
        rec.hash = compute_hash(rec)
        rec.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_seq=rec.seq, last_hash=rec.hash)
    metrics.AUDIT_APPEND_SECONDS.observe(time.perf_counter() - started)
    return rec


def _in_outer_transaction() -> bool:
    """Whether the caller's transaction encloses ours (then it decides how it commits)."""
    return len(connection.savepoint_ids) > 0


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{"field": [old, new]}`` for the fields that changed."""
    return {k: [old.get(k), new.get(k)] for k in new if old.get(k) != new.get(k)}


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify(*, chunk_size: int = 5000) -> Iterator[Break]:
    """Recompute the chain; yield every break (first one first). Empty means intact."""
    expected_prev = GENESIS
    expected_seq = 1
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if rec.seq != expected_seq:
            yield Break(expected_seq, f"record #{expected_seq} is missing (next present is #{rec.seq})")
            expected_seq = rec.seq
        if rec.prev_hash != expected_prev:
            yield Break(rec.seq, f"record #{rec.seq} does not follow the previous record (chain broken)")
        if compute_hash(rec) != rec.hash:
            yield Break(rec.seq, f"record #{rec.seq} was altered (hash mismatch)")
        expected_prev = rec.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != expected_prev):
        yield Break(
            head.last_seq, f"the last records after #{last_seq} were removed (head is #{head.last_seq})"
        )
