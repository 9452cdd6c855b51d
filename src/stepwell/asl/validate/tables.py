"""The field tables the schema pass reads: which fields each object accepts, which belong to one
query language only, which are required, which exclude each other, and the numeric ranges.

Sources: the field matrix of reference §2.2 cross-checked with a measurement of
ValidateStateMachineDefinition over 8 state types x 50 fields (cdk-preflight policy pack, 2026-09-05)
and floci-io/floci's AWS-measured tests. Order inside each tuple is the order diagnostics follow.
"""

from __future__ import annotations

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")

TOP_LEVEL_FIELDS = frozenset({"Comment", "QueryLanguage", "StartAt", "TimeoutSeconds", "Version", "States"})
# AWS's order in "These fields are required: [States, StartAt]" (recorded for `{}`).
PROGRAM_REQUIRED = ("States", "StartAt")
BRANCH_FIELDS = frozenset({"Comment", "StartAt", "States"})
PROCESSOR_FIELDS = frozenset({"Comment", "StartAt", "States", "ProcessorConfig"})
PROCESSOR_CONFIG_FIELDS = frozenset({"Mode", "ExecutionType"})

COMMON_STATE_FIELDS = frozenset({"Type", "Comment", "QueryLanguage"})

# Fields each state type accepts besides Type/Comment/QueryLanguage ("Field 'X' is not supported").
STATE_FIELDS: dict[str, frozenset[str]] = {
    "Pass": frozenset(
        {"InputPath", "OutputPath", "Result", "ResultPath", "Parameters", "Output", "Assign", "Next", "End"}
    ),
    "Task": frozenset(
        {
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "Resource",
            "Credentials",
            "ResultSelector",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Next",
            "End",
        }
    ),
    "Wait": frozenset(
        {
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Next",
            "End",
        }
    ),
    "Parallel": frozenset(
        {
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "Branches",
            "Next",
            "End",
        }
    ),
    "Map": frozenset(
        {
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "Next",
            "End",
        }
    ),
    "Choice": frozenset({"InputPath", "OutputPath", "Output", "Assign", "Choices", "Default"}),
    "Succeed": frozenset({"InputPath", "OutputPath", "Output"}),
    "Fail": frozenset({"Error", "Cause", "ErrorPath", "CausePath"}),
}

# "These fields are required: [...]" per state type, beyond Type.
STATE_REQUIRED: dict[str, tuple[str, ...]] = {
    "Task": ("Resource",),
    "Choice": ("Choices",),
    "Parallel": ("Branches",),
}

# Types that must have exactly one of Next / End.
TRANSITIONING_TYPES = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})

# Fields of one query language only, in the order their diagnostics are listed.
# "The QueryLanguage is set to 'JSONata', but field 'X' is only supported for the 'JSONPath' QueryLanguage"
JSONPATH_ONLY = (
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "Result",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
    "ErrorPath",
    "CausePath",
)
JSONATA_ONLY = ("Output", "Arguments", "Items")

# Pairs of a literal and its Path variant: "There should only be one of the following fields: [A, B]".
EXCLUSIVE_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Map": (
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ),
}

# AWS's order in the Wait message.
WAIT_FIELDS = ("SecondsPath", "Seconds", "TimestampPath", "Timestamp")

RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})

QUERY_LANGUAGES = ("JSONPath", "JSONata")
JITTER_STRATEGIES = ("NONE", "FULL")
PROCESSOR_MODES = ("INLINE", "DISTRIBUTED")
EXECUTION_TYPES = ("STANDARD", "EXPRESS")
VERSIONS = ("1.0",)

# Integer ranges (inclusive). Retry IntervalSeconds 0 is accepted by AWS (measured, cdk-preflight).
TASK_SECONDS_RANGE = (1, 99_999_999)
WAIT_SECONDS_RANGE = (0, 99_999_999)
INTERVAL_SECONDS_RANGE = (0, 99_999_999)
MAX_ATTEMPTS_RANGE = (0, 99_999_999)
MAX_DELAY_SECONDS_RANGE = (1, 31_622_400)
MIN_BACKOFF_RATE = 1.0

STATE_NAME_LIMIT = 80
LABEL_LIMIT = 40
# Characters a Map Label may not contain besides whitespace and control characters (reference §2.7).
LABEL_FORBIDDEN = frozenset('?*<>{}[]:;,\\|^~$#%&`"')
