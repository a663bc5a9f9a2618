"""Import jobs: accept a guarded upload, then validate every row and write all of it or nothing.

`import_job_create` runs in the request: it checks the importer and the user's permission, guards the
file (`guards.check_upload`), stores the job, the file and the audit event in one transaction and, once
that commits, enqueues `tasks.import_job_task`. `import_job_run` is what the task runs:

- pass 1 reads the first sheet with python-calamine (once), maps the header row to the importer's columns
  by exact header text, converts each cell (`base.compile_converter`, i.e. `base.convert`), and hands
  batches of `Row`s whose every cell converted to `importer.validate`. While the file is still valid,
  each validated batch is kept in the importer's staging form (`importer.stage`, by default the rows).
  Progress (`rows_checked`) is committed as batches are checked (at most every `PROGRESS_EVERY` seconds),
  so the status page can poll it. Any error →
  status `invalid`, nothing written (and the staged rows are dropped).
- pass 2 calls `importer.write` for every staged batch, then `importer.finish` (set-based work over all
  batches), inside ONE transaction, which also records the audit event and marks the job done. An
  exception anywhere → status `failed`, and the transaction has rolled back, so nothing was written. The
  file is not read again, nor (for an importer that keeps what pass 1 read, like the roster's) the
  database: a row another user wrote in between breaks a unique constraint, which fails the job as a
  conflict (`CONFLICT`), again with nothing written.

On PostgreSQL, when the job runs in autocommit (as the task worker runs it), pass 2 runs alongside pass 1
(`_Writer`): a thread with a database connection of its own opens that one transaction with the first
staged batch and writes each batch as pass 1 hands it over, so the server inserts while Python still
reads and checks the next rows (psycopg waits for the server without holding the GIL; the server is
another process). Progress is still committed by pass 1 on the job's own connection. All or nothing
holds as before: a row error found later → the writer rolls back; after the last batch it runs `finish`,
marks the job done, records the audit event, and commits. An exception in the writer fails the job as
above (a file that also has row errors is still reported `invalid`). Pass 1's reads do not see the
writer's uncommitted rows, which is fine: rows repeated within the file are the importer's to catch
(`Importer.validate`). On SQLite (one writer at a time, and progress updates are writes) and inside a
caller's transaction (tests: a second connection would not see the caller's rows) the passes run one
after the other.

Memory: python-calamine (0.9.1) has no lazy reader: `get_sheet_by_index` holds the sheet's whole cell
range until pass 1 ends, so the peak is that range plus the staged batches. The upload caps
(`guards`) bound both.
"""

import contextvars
import gc
import hashlib
import logging
import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from python_calamine import CalamineError, CalamineWorkbook

from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, ServiceError

from .base import CellError, Column, Importer, Row, RowErrors, compile_converter, convert
from .guards import check_upload
from .models import ImportJob, JobStatus
from .registry import get_importer

logger = logging.getLogger(__name__)

UNREADABLE = "无法读取文件中的第一个工作表，文件可能已损坏；请用 Excel 打开后另存为 .xlsx 再导入"
NO_DATA = "文件中没有数据行：第一行为表头，请从表头下一行开始填写"
CONFLICT = "校验之后、写入之前，其他操作登记了文件中的部分人员或编号；请重新导入该文件"


class FileUnreadable(Exception):
    pass


# --- request side -------------------------------------------------------------------------------


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _enqueue(job_id: int) -> None:
    from .tasks import import_job_task

    try:
        import_job_task.enqueue(job_id)
    except Exception:
        logger.exception("Could not enqueue import job %s", job_id)
        ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            message="无法提交后台任务，未写入任何数据；请稍后重新上传或联系管理员",
            finished_at=timezone.now(),
        )


def import_job_create(*, user, importer_key: str, upload) -> ImportJob:
    """Guard the upload and queue it. A refused file (`UploadRejected`) leaves no trace: no job, no stored
    file, no audit event. Raises `NotFound` for an unknown importer, `Forbidden` from the importer."""
    importer_cls = get_importer(importer_key)
    importer_cls(user).check_permission()
    check_upload(upload)
    job = ImportJob(
        importer_key=importer_key,
        user=user,
        organisation_id=user.organisation_id,
        file_name=Path(upload.name or "upload.xlsx").name[:255],
        file_size=upload.size,
        sha256=_sha256(upload),
    )
    try:
        with transaction.atomic():
            job.file.save("upload.xlsx", upload, save=False)
            job.save()
            audit_record(
                action="import.upload",
                obj=job,
                actor=user,
                changes={
                    "importer": importer_key,
                    "file_name": job.file_name,
                    "file_size": job.file_size,
                    "sha256": job.sha256,
                },
            )
            job_id = job.pk
            transaction.on_commit(lambda: _enqueue(job_id))
    except BaseException:
        if job.file.name:
            job.file.delete(save=False)
        raise
    return job


# --- reading ------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class SheetReader:
    """The first sheet of a workbook: the header row, then converted data rows (blank rows skipped)."""

    def __init__(self, path: str, columns: Iterable[Column]):
        self.columns = tuple(columns)
        try:
            with CalamineWorkbook.from_path(path) as book:
                if not book.sheet_names:
                    raise FileUnreadable("工作簿中没有工作表")
                sheet = book.get_sheet_by_index(0)
        except CalamineError as exc:
            raise FileUnreadable(UNREADABLE) from exc
        end = sheet.end
        self.last_row = end[0] + 1 if end else 0  # iter_rows yields rows from the sheet's first row
        self._rows = enumerate(sheet.iter_rows(), start=1)
        self.header_row = 1
        self.mapping: list[tuple[int, Column]] = []
        self.absent: list[Column] = []
        self.rows_read = 0  # rows below the header read so far, blank ones included
        self.data_rows = 0  # non-blank rows below the header

    @property
    def rows_estimate(self) -> int:
        """Rows below the header in the sheet's used range (blank rows included): progress total."""
        return max(0, self.last_row - self.header_row)

    def read_header(self, errors: RowErrors) -> None:
        """Find the header (the first non-blank row); map cells to columns by exact header text."""
        cells: list = []
        for number, row in self._rows:
            if not all(_blank(v) for v in row):
                self.header_row, cells = number, row
                break
        by_header = {c.header: c for c in self.columns}
        seen: set[str] = set()
        for index, raw in enumerate(cells):
            if _blank(raw):
                continue
            text = str(raw).strip()
            column = by_header.get(text)
            if column is None:
                errors.add(self.header_row, text, "不是模板中的列（请使用下载的模板，不要修改表头）")
            elif text in seen:
                errors.add(self.header_row, text, "表头重复")
            else:
                seen.add(text)
                self.mapping.append((index, column))
        for column in self.columns:
            if column.header not in seen:
                self.absent.append(column)
                if column.required:
                    errors.add(self.header_row, column.header, "缺少必填列（请使用下载的模板，不要修改表头）")

    def rows(self, errors: RowErrors, fast=None) -> Iterator[Row]:
        """Converted data rows; a row with a cell that does not convert is reported and not yielded.
        ``fast``: the importer's ``fast_path`` function; a row it accepts is yielded as its staged form."""
        cells_needed = max((i for i, _ in self.mapping), default=-1) + 1
        converters = [(i, column.key, compile_converter(column)) for i, column in self.mapping]
        absent = {column.key: None for column in self.absent}
        padding = [None] * cells_needed
        for number, cells in self._rows:
            self.rows_read += 1
            if len(cells) < cells_needed:
                cells = [*cells, *padding[len(cells) :]]
            for i, _, _ in converters:  # _blank, inline: usually the first cell decides
                value = cells[i]
                if value is not None and (type(value) is not str or value.strip()):
                    break
            else:
                continue  # a blank row
            self.data_rows += 1
            if fast is not None and (staged := fast(cells)) is not None:
                yield Row(number=number, values=None, staged=staged)
                continue
            values = absent.copy()
            try:
                for i, key, to_value in converters:
                    values[key] = to_value(cells[i])
            except CellError:
                # Report every cell of the row that does not convert, not only the first.
                for i, column in self.mapping:
                    try:
                        convert(column, cells[i])
                    except CellError as exc:
                        errors.add(number, column.header, str(exc))
                continue
            yield Row(number=number, values=values)


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- the task -----------------------------------------------------------------------------------


def _progress(job: ImportJob, **fields) -> None:
    """Commit progress on its own (autocommit in the worker), so a polling page sees it at once."""
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: ImportJob, status: str, message: str, errors: RowErrors | None = None) -> str:
    fields = {"status": status, "message": message[:500], "finished_at": timezone.now()}
    if errors is not None:
        fields.update(
            error_total=errors.total, errors=[list(e) for e in sorted(errors.items, key=lambda e: e[0])]
        )
    _progress(job, **fields)
    return status


def _summary(errors: RowErrors) -> str:
    row, header, message = min(errors.items, key=lambda e: e[0])
    first = f"第{row}行“{header}”列：{message}" if header else message
    more = f"（共 {errors.total} 处错误）" if errors.total > 1 else ""
    return f"校验未通过，未写入任何数据。{first}{more}"


# How often pass 1 commits its progress, in seconds: the status page polls every second or two, and each
# commit waits for the database to flush its log (fifty of them took a tenth of a 100,000-row import).
PROGRESS_EVERY = 0.5


def _checked(job: ImportJob, importer: Importer, errors: RowErrors) -> Iterator[list]:
    """Pass 1: read, convert and validate every row; yield each batch's staged form while the file is still
    valid (after the first error, nothing more: nothing will be written)."""
    reader = SheetReader(job.file.path, importer.columns)
    reader.read_header(errors)
    if errors:
        return
    _progress(job, rows_total=reader.rows_estimate, rows_checked=0)
    fast = importer.fast_path(list(reader.mapping))
    reported = time.monotonic()
    for batch in _batches(reader.rows(errors, fast), importer.batch_size):
        importer.validate(batch, errors)
        if not errors:
            yield importer.stage(batch)
        if time.monotonic() - reported >= PROGRESS_EVERY:
            _progress(job, rows_checked=reader.rows_read)
            reported = time.monotonic()
    _progress(job, rows_total=reader.data_rows, rows_checked=reader.data_rows)
    if reader.data_rows == 0 and not errors:
        errors.add(reader.header_row + 1, "", NO_DATA)


def _validate(job: ImportJob, importer: Importer, errors: RowErrors) -> list:
    """Pass 1 on its own: the staged batches (empty if any error)."""
    staged = list(_checked(job, importer, errors))
    if errors:
        staged.clear()  # nothing will be written: keep no rows
    return staged


# SQLite's page cache while pass 2 writes (KiB; its default is 2 MiB): a large import updates each index
# all over, and with the default cache every insert re-reads index pages from the OS (a third of the time
# of writing 100,000 people with their episodes).
SQLITE_WRITE_CACHE_KIB = 128 * 1024


@contextmanager
def _write_cache():
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _write(job: ImportJob, importer: Importer, batches: Iterable[list], *, pipelined: bool = False) -> None:
    """Pass 2: write the staged batches in one transaction (each batch released once written)."""
    try:
        _write_all(job, importer, batches, pipelined)
    except IntegrityError as exc:
        # Pass 2 relies on what pass 1 read; a row someone else wrote in between breaks a unique (or
        # foreign-key) constraint here, and the transaction has rolled back: nothing of the file is written.
        logger.info("Import job %s: conflict while writing: %s", job.pk, exc)
        raise Conflict(CONFLICT) from exc


def _write_all(job: ImportJob, importer: Importer, batches: Iterable[list], pipelined: bool) -> None:
    created = updated = 0
    with _write_cache(), transaction.atomic():
        if pipelined:
            # Foreign keys checked as each statement ends, i.e. while pass 1 is still reading, rather than
            # all of them at the commit (they are deferred by default).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for batch in batches:
            made, changed = importer.write(batch)
            created += made
            updated += changed
            del batch  # released once written
        importer.finish()
        job.status = JobStatus.DONE
        job.created, job.updated = created, updated
        job.message = f"导入完成：新增 {created} 条，更新 {updated} 条"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "created", "updated", "message", "finished_at"])
        audit_record(
            action="import.write",
            obj=job,
            actor=job.user,
            organisation=job.organisation,
            changes={
                "importer": job.importer_key,
                "file_name": job.file_name,
                "sha256": job.sha256,
                "rows": job.rows_total,
                "created": created,
                "updated": updated,
                **importer.audit_summary(),
            },
        )


def _popped(staged: list) -> Iterator[list]:
    """The staged batches in order, each dropped from the list as it is handed out."""
    staged.reverse()
    while staged:
        yield staged.pop()


def _pipelined() -> bool:
    """Pass 2 alongside pass 1 (``_Writer``): on PostgreSQL, when the job runs in autocommit as the task
    worker does. Not on SQLite (one writer at a time, and the progress updates are writes), nor inside a
    caller's transaction (a test's): a second connection would not see the caller's uncommitted rows."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


_END = object()  # put after the last batch: finish and commit
_ABORT = object()  # put instead: roll back, nothing written


class _RolledBack(Exception):
    pass


class _Writer(threading.Thread):
    """Pass 2 on a thread and database connection of its own, fed each staged batch as pass 1 stages it,
    so the database inserts while Python still reads (psycopg waits for the server without the GIL).
    It opens the import's single transaction with the first batch and keeps it open: ``close(commit=True)``
    after the last batch runs ``finish``, marks the job done, records the audit event and commits (as
    ``_write``); ``close(commit=False)`` rolls everything back. Its exception (e.g. ``Conflict``) is raised
    by ``close(commit=True)``; after one, the batches still put are dropped."""

    def __init__(self, job: ImportJob, importer: Importer):
        super().__init__(name=f"import-job-{job.pk}-writer", daemon=True)
        self.job, self.importer = job, importer
        self.queue: queue.SimpleQueue = queue.SimpleQueue()  # unbounded: at most what pass 1 stages
        self.error: BaseException | None = None
        self.context = contextvars.copy_context()  # the job's (e.g. the audit context), as in pass 1

    def put(self, batch: list) -> None:
        if self.error is None:
            self.queue.put(batch)

    def close(self, *, commit: bool) -> None:
        self.queue.put(_END if commit else _ABORT)
        self.join()
        if commit and self.error is not None:
            raise self.error

    def run(self) -> None:
        try:
            self.context.run(_write, self.job, self.importer, self._batches(), pipelined=True)
        except _RolledBack:
            pass
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()  # this thread's own connection

    def _batches(self) -> Iterator[list]:
        while True:
            try:
                batch = self.queue.get_nowait()
            except queue.Empty:
                self.importer.flush()  # all batches so far written: the server works on them meanwhile
                batch = self.queue.get()
            if batch is _END:
                return
            if batch is _ABORT:
                raise _RolledBack
            yield batch


def _validate_and_write(job: ImportJob, importer: Importer, errors: RowErrors) -> bool:
    """Pass 1 with pass 2 alongside it (``_Writer``, started with the first staged batch). True once
    written; False if the file has errors (then nothing is written). Raises what the writer raised."""
    writer = None
    commit = False
    try:
        for batch in _checked(job, importer, errors):
            if writer is None:
                writer = _Writer(job, importer)
                writer.start()
            writer.put(batch)
        if errors:
            return False
        _progress(job, status=JobStatus.WRITING)
        commit = True  # a file without errors has data rows, so a writer
    finally:
        if writer is not None:
            writer.close(commit=commit)
    return True


@contextmanager
def _without_cyclic_gc():
    """Python's cycle collector off while a job runs (put back as it was afterwards). A large import keeps
    hundreds of thousands of small tuples alive (the staged rows), and each full collection walks all of
    them again without ever finding a cycle: about a tenth of a 100,000-row import. The job's own objects
    hold no reference cycles; reference counting frees them as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# The interpreter's thread switch interval while a job runs (seconds; Python's default is 0.005). With pass 2
# alongside pass 1, the writer thread waits on the database between rows it sends and then needs the GIL
# back from pass 1, which is busy in Python: at the default it often waits the whole interval while the
# server has nothing left to insert.
SWITCH_INTERVAL = 0.001


@contextmanager
def _short_switch_interval():
    """``SWITCH_INTERVAL`` while a job runs (put back as it was afterwards)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def import_job_run(job_id: int) -> str:
    """Validate, then write all rows or none. Returns the final status. Runs only a queued job, so a task
    delivered twice does nothing the second time. Must not be called inside a transaction (progress is
    committed as it goes)."""
    with _without_cyclic_gc(), _short_switch_interval():
        return _run(job_id)


def _run(job_id: int) -> str:
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.VALIDATING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("user", "organisation").get(pk=job_id)
    try:
        importer = get_importer(job.importer_key)(job.user)
        importer.check_permission()  # the user's roles may have changed since the upload
        importer.prepare()
        errors = RowErrors()
        try:
            if _pipelined():
                if _validate_and_write(job, importer, errors):
                    return JobStatus.DONE
            else:
                staged = _validate(job, importer, errors)
        except FileUnreadable as exc:
            return _finish(job, JobStatus.INVALID, str(exc))
        if errors:
            return _finish(job, JobStatus.INVALID, _summary(errors), errors)
        _progress(job, status=JobStatus.WRITING)
        _write(job, importer, _popped(staged))
        return JobStatus.DONE
    except ServiceError as exc:
        return _finish(job, JobStatus.FAILED, f"导入失败，未写入任何数据：{exc.message}")
    except Exception:
        logger.exception("Import job %s failed", job_id)
        return _finish(
            job,
            JobStatus.FAILED,
            f"导入时发生系统错误，未写入任何数据；请联系管理员（导入任务编号 {job_id}）",
        )
