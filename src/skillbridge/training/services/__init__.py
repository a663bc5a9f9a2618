"""Every write of the training app: keyword-only `<entity>_<action>` functions, each one transaction with
its audit event. Split by subject: applications (附件4 and opening the class) and classes (running it)."""

from .applications import (
    APPLICATION_FIELDS,
    application_create,
    application_delete,
    application_submit,
    application_update,
    class_open,
    require_unit_writer,
)
from .classes import (
    SESSION_FIELDS,
    attendance_mark_all_present,
    attendance_set,
    class_complete,
    class_data_entered,
    clean_online,
    enrolment_exit,
    enrolments_add,
    online_minutes_set,
    online_upsert,
    register_on_class_completed,
    session_create,
    session_sign_off,
    session_update,
)

__all__ = [
    "APPLICATION_FIELDS",
    "SESSION_FIELDS",
    "application_create",
    "application_delete",
    "application_submit",
    "application_update",
    "attendance_mark_all_present",
    "attendance_set",
    "class_complete",
    "class_data_entered",
    "class_open",
    "clean_online",
    "enrolment_exit",
    "enrolments_add",
    "online_minutes_set",
    "online_upsert",
    "register_on_class_completed",
    "require_unit_writer",
    "session_create",
    "session_sign_off",
    "session_update",
]
