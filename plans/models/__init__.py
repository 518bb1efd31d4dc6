"""The domain's models, one module per area (units, plans, the task tree, targets, reporting,
calendar feeds, reminders, sheet imports, plan imports); every public name is importable from here."""
# isort: skip_file
# The areas are imported in the order their models have always been registered in: that
# order fixes the order of each model's reverse relations (deletion, the admin, dumpdata).
from plans.models.base import Versioned
from plans.models.choices import (
    Closure,
    Comparator,
    DeadlineKind,
    Frequency,
    HolidayShift,
    NodeKind,
    ReportState,
    Role,
    TaskStatus,
    UnitKind,
)
from plans.models.units import (
    MemberRole,
    Membership,
    Unit,
    UnitAlias,
    UnitAliasManager,
    UnitManager,
)
from plans.models.visibility import acting_unit_ids, sees_everything, units_answering_for
from plans.models.plans import (
    Plan,
    PlanIssuer,
    PlanIssuerManager,
    PlanManager,
    PlanQuerySet,
    office_plan_ids,
)
from plans.models.tasks import (
    Assignment,
    AssignmentManager,
    Deadline,
    DeadlineManager,
    Section,
    Task,
    TaskManager,
    TaskQuerySet,
    latest_approved_percent,
)
from plans.models.targets import Target, TargetManager, TargetQuerySet
from plans.models.reporting import (
    IndicatorValue,
    IndicatorValueQuerySet,
    ProgressReport,
    ProgressReportQuerySet,
    ReportingPeriod,
    ReportingPeriodQuerySet,
    SupportingInput,
)
from plans.models.feeds import CalendarFeed, CalendarFeedQuerySet
from plans.models.reminders import Reminder, ReminderQuerySet, ReminderRule
from plans.models.sheet_imports import (
    JSONArrayLength,
    SheetImport,
    SheetImportQuerySet,
    SheetImportState,
)

from plans.models.plan_imports import PlanImport, PlanImportQuerySet, PlanImportState
from plans.models.people import Profile, person_label, person_name
from plans.models.workflow import (
    Acknowledgement,
    AcknowledgementQuerySet,
    ClaimState,
    CompletionClaim,
    CompletionClaimQuerySet,
    ExtensionRequest,
    ExtensionRequestQuerySet,
    RequestState,
)
from plans.models.evidence import OWNER_FIELDS, Attachment, AttachmentQuerySet, attachment_storage
from plans.models.discussion import AssignmentPerson, PersonKind, TaskComment, TaskCommentQuerySet
from plans.models.jobs import Job, JobKind, JobQuerySet, JobState

__all__ = [
    "Acknowledgement",
    "AcknowledgementQuerySet",
    "Assignment",
    "AssignmentManager",
    "AssignmentPerson",
    "Attachment",
    "AttachmentQuerySet",
    "CalendarFeed",
    "CalendarFeedQuerySet",
    "ClaimState",
    "Closure",
    "Comparator",
    "CompletionClaim",
    "CompletionClaimQuerySet",
    "Deadline",
    "DeadlineKind",
    "DeadlineManager",
    "ExtensionRequest",
    "ExtensionRequestQuerySet",
    "Frequency",
    "HolidayShift",
    "IndicatorValue",
    "IndicatorValueQuerySet",
    "JSONArrayLength",
    "MemberRole",
    "Membership",
    "NodeKind",
    "OWNER_FIELDS",
    "PersonKind",
    "Plan",
    "PlanImport",
    "PlanImportQuerySet",
    "PlanImportState",
    "PlanIssuer",
    "PlanIssuerManager",
    "PlanManager",
    "PlanQuerySet",
    "Profile",
    "ProgressReport",
    "ProgressReportQuerySet",
    "Reminder",
    "ReminderQuerySet",
    "ReminderRule",
    "ReportState",
    "ReportingPeriod",
    "ReportingPeriodQuerySet",
    "RequestState",
    "Role",
    "Section",
    "SheetImport",
    "SheetImportQuerySet",
    "SheetImportState",
    "SupportingInput",
    "Target",
    "TargetManager",
    "TargetQuerySet",
    "Task",
    "TaskComment",
    "TaskCommentQuerySet",
    "TaskManager",
    "TaskQuerySet",
    "TaskStatus",
    "Unit",
    "UnitAlias",
    "UnitAliasManager",
    "UnitKind",
    "UnitManager",
    "Versioned",
    "Job",
    "JobKind",
    "JobQuerySet",
    "JobState",
    "acting_unit_ids",
    "attachment_storage",
    "latest_approved_percent",
    "office_plan_ids",
    "person_label",
    "person_name",
    "sees_everything",
    "units_answering_for",
]
