"""Scale-out: ``jobping worker`` on several machines, sharing a queue in PostgreSQL.

The only package importing procrastinate (a PostgreSQL-backed task queue). A run becomes
tasks any worker may do (see ``_run``); ``jobping db migrate`` applies the queue's schema
(``migrate_queue``); ``jobping run --enqueue`` defers a run (``enqueue_run``).
"""

from jobping.worker._enqueue import enqueue_run
from jobping.worker._queue import (
    QUEUES,
    open_queue,
    queue_schema_at,
    queue_status_at,
    queue_url,
)
from jobping.worker._schema import QueueSchema, migrate_queue, queue_schema
from jobping.worker._worker import WorkerOptions, run_worker

__all__ = [
    "QUEUES",
    "QueueSchema",
    "WorkerOptions",
    "enqueue_run",
    "migrate_queue",
    "open_queue",
    "queue_schema",
    "queue_schema_at",
    "queue_status_at",
    "queue_url",
    "run_worker",
]
