"""The field tables the schema pass reads, checked for coherence and against the ASL numbers."""

from __future__ import annotations

from stepwell.asl.validate import tables as t


def test_every_state_type_has_its_field_table() -> None:
    assert set(t.STATE_FIELDS) == set(t.STATE_TYPES)
    assert t.STATE_TYPES == ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")


def test_transitions() -> None:
    for kind in t.TRANSITIONING_TYPES:
        assert {"Next", "End"} <= t.STATE_FIELDS[kind], kind
    for kind in ("Choice", "Succeed", "Fail"):
        assert not {"Next", "End"} & t.STATE_FIELDS[kind], kind
    assert "Default" in t.STATE_FIELDS["Choice"]


def test_required_and_exclusive_fields_are_accepted_fields() -> None:
    for kind, fields in t.STATE_REQUIRED.items():
        assert set(fields) <= t.STATE_FIELDS[kind]
    for kind, pairs in t.EXCLUSIVE_PAIRS.items():
        for first, second in pairs:
            assert {first, second} <= t.STATE_FIELDS[kind]
            assert second == first + "Path"
    assert set(t.WAIT_FIELDS) <= t.STATE_FIELDS["Wait"]


def test_each_language_only_field_belongs_to_some_state_and_not_to_both_languages() -> None:
    accepted = set().union(*t.STATE_FIELDS.values())
    assert set(t.JSONPATH_ONLY) <= accepted
    assert set(t.JSONATA_ONLY) <= accepted
    assert not set(t.JSONPATH_ONLY) & set(t.JSONATA_ONLY)
    assert not set(t.JSONPATH_ONLY) & t.CATCHER_FIELDS - {"ResultPath"}
    assert {"Output", "Assign"} <= t.CATCHER_FIELDS


def test_jsonata_states_have_no_parameters_but_arguments() -> None:
    # Map takes ItemSelector rather than Arguments (reference §2.2).
    assert "Arguments" in t.STATE_FIELDS["Task"] and "Arguments" in t.STATE_FIELDS["Parallel"]
    assert "Arguments" not in t.STATE_FIELDS["Map"]


def test_program_fields() -> None:
    assert t.PROGRAM_REQUIRED == ("States", "StartAt")
    assert t.BRANCH_FIELDS < t.PROCESSOR_FIELDS
    assert {"ProcessorConfig"} == t.PROCESSOR_FIELDS - t.BRANCH_FIELDS
    assert {"StartAt", "States"} < t.TOP_LEVEL_FIELDS


def test_ranges() -> None:
    assert t.TASK_SECONDS_RANGE == (1, 99_999_999)
    assert t.WAIT_SECONDS_RANGE == (0, 99_999_999)
    assert t.INTERVAL_SECONDS_RANGE == (0, 99_999_999)  # AWS accepts 0 (measured)
    assert t.MAX_ATTEMPTS_RANGE == (0, 99_999_999)
    assert t.MAX_DELAY_SECONDS_RANGE == (1, 31_622_400)
    assert t.MIN_BACKOFF_RATE == 1.0
    assert (t.STATE_NAME_LIMIT, t.LABEL_LIMIT) == (80, 40)


def test_enums() -> None:
    assert t.QUERY_LANGUAGES == ("JSONPath", "JSONata")
    assert t.JITTER_STRATEGIES == ("NONE", "FULL")
    assert t.PROCESSOR_MODES == ("INLINE", "DISTRIBUTED")
    assert t.EXECUTION_TYPES == ("STANDARD", "EXPRESS")
    assert t.VERSIONS == ("1.0",)


def test_label_forbidden_characters() -> None:
    assert set('?*<>{}[]:;,\\|^~$#%&`"') == t.LABEL_FORBIDDEN
    assert not set("abc-_.!@()+=/'") & t.LABEL_FORBIDDEN
