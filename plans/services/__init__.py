"""Every write of domain data goes through a service here: one function per operation, keyword
arguments only, validating first and writing in one transaction (plans.services.common holds
the lock order they share). This package only re-exports them, so callers write
`services.report_submit(...)`; each lives in the module of its area."""
from plans.services.acknowledgements import acknowledge, acknowledgements_ensure  # noqa: F401
from plans.services.accounts import PROFILE_FIELDS, membership_delete, membership_save, profile_save  # noqa: F401
from plans.services.common import StaleVersion, check_version, deny  # noqa: F401
from plans.services.cleanup import cleanup_run  # noqa: F401
from plans.services.conflicts import WriteConflict, retry_on_conflict  # noqa: F401
from plans.services.feeds import feed_create, feed_fetch_record, feed_revoke  # noqa: F401
from plans.services.indicators import indicator_value_delete, indicator_value_save  # noqa: F401
from plans.services.jobs import (  # noqa: F401
    LEASE,
    JobBusy,
    job_begin,
    job_create,
    job_fail,
    job_finish,
    job_progress,
    job_release,
    job_storage,
    jobs_delete_expired,
    scheduled_job,
)
from plans.services.periods import (  # noqa: F401
    PERIOD_FIELDS,
    period_close,
    period_delete,
    period_open,
    period_save,
    periods_generate,
    periods_open_due,
    reports_ensure,
)
from plans.services.plan_drafts import (  # noqa: F401
    plan_draft_apply,
    plan_draft_correct,
    plan_draft_delete,
    plan_draft_upload,
)
from plans.services.plan_import import ImportSummary, plan_import  # noqa: F401
from plans.services.plans import (  # noqa: F401
    plan_delete,
    plan_issuer_delete,
    plan_issuer_save,
    plan_publish,
    plan_save,
)
from plans.services.reminders import ReminderSummary, reminders_send  # noqa: F401
from plans.services.reference import unit_alias_delete, unit_alias_save, unit_delete, unit_save  # noqa: F401
from plans.services.report_batches import reports_approve, reports_return, reports_submit  # noqa: F401
from plans.services.reporting import (  # noqa: F401
    REPORT_FIELDS,
    report_approve,
    report_mark_opened,
    report_return,
    report_submit,
    report_update,
    report_withdraw,
    supporting_input_save,
)
from plans.services.sheets import sheet_apply, sheet_check, sheet_upload  # noqa: F401
from plans.services.structure import (  # noqa: F401
    ASSIGNMENT_FIELDS,
    DEADLINE_FIELDS,
    NODE_FIELDS,
    TARGET_FIELDS,
    TASK_FIELDS,
    assignment_create,
    assignment_delete,
    assignment_update,
    deadline_create,
    deadline_delete,
    deadline_update,
    node_create,
    node_delete,
    node_update,
    target_delete,
    target_save,
    task_target_create,
    task_update,
)
from plans.services.workflow import (  # noqa: F401
    claim_accept,
    claim_return,
    completion_claim,
    extension_approve,
    extension_reject,
    extension_request,
    task_close,
    task_reopen,
)
from plans.services.discussion import assignment_person_delete, assignment_person_save, comment_add  # noqa: F401
from plans.services.evidence import attachment_add, attachment_delete, attachments_add  # noqa: F401
