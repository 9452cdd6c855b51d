"""DescribeStateMachine's variableReferences: the variables each state reads."""

from __future__ import annotations

from stepwell.asl.variable_references import variable_references


def test_jsonpath_states_read_variables_in_paths_and_intrinsic_functions() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Parameters": {
                    "total.$": "$total",
                    "text.$": "States.Format('{} costs $price', $name)",
                    "input.$": "$.input",
                    "id.$": "$$.Execution.Id",
                    "again.$": "$total.count",
                },
                "Assign": {"seen": True},
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$flag", "BooleanEquals": True, "Next": "W"}],
                "Default": "W",
            },
            "W": {"Type": "Wait", "SecondsPath": "$delay", "End": True},
        },
    }
    assert variable_references(definition) == {"A": ["total", "name"], "C": ["flag"], "W": ["delay"]}


def test_jsonata_states_read_variables_but_not_functions_states_or_their_own_bindings() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Output": "{% $sum($items) + $states.input.a + ($k := 2; $k) "
                "+ $count($map($xs, function($v) { $v })) %}",
                "Next": "Q",
            },
            "Q": {"Type": "Pass", "Output": {"literal": "$notAnExpression"}, "End": True},
        },
    }
    assert variable_references(definition) == {"P": ["items", "xs"]}


def test_the_states_of_branches_and_processors_are_their_own() -> None:
    inner = {
        "StartAt": "In",
        "States": {"In": {"Type": "Pass", "Parameters": {"v.$": "$inner"}, "End": True}},
    }
    definition = {
        "StartAt": "M",
        "States": {
            "M": {"Type": "Map", "ItemsPath": "$list", "ItemProcessor": inner, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [inner | {"States": {"B": inner["States"]["In"]}}],
                "End": True,
            },
        },
    }
    assert variable_references(definition) == {"M": ["list"], "In": ["inner"], "B": ["inner"]}
