"""pydantic errors translated into key paths and messages a user can act on."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field, ValidationError

from components.config.errors import ConfigError, key_path, translate, unknown_key_message
from components.config.schema import Items, PositiveInt, Section, doc, fail, required


class Inner(Section):
    """A nested section."""

    gpus: PositiveInt = doc(1, "GPUs")
    ratio: Annotated[float, Field(gt=0, le=1)] = doc(0.5, "a share")
    percent: Annotated[float, Field(ge=0, le=100)] = doc(10.0, "a percent")
    mode: Literal["a", "b"] = doc("a", "a choice")


class Root(Section):
    """A root section."""

    name: str = required("a name", "set it in the stack file")
    retention_days: int = doc(1, "days")
    models: Items[Inner] = doc((), "items")
    inner: Inner = doc(Inner(), "a nested section")


def error_of(data: dict) -> ConfigError:
    with pytest.raises(ValidationError) as caught:
        Root.model_validate(data)
    return translate(caught.value, Root)


def test_key_paths_use_the_stack_file_keys_and_indexes() -> None:
    assert key_path(("models", 1, "gpus")) == "ai-observability:models[1].gpus"
    assert key_path(("kubernetes:context",)) == "kubernetes:context"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "x", "models": [{}, {"gpus": -2}]},
            "models[1].gpus: must be a positive integer, got -2",
        ),
        (
            {"name": "x", "inner": {"ratio": 1.5}},
            "inner.ratio: must be above 0 and at most 1, got 1.5",
        ),
        (
            {"name": "x", "inner": {"percent": 101}},
            "inner.percent: must be between 0 and 100, got 101",
        ),
        ({"name": "x", "inner": {"mode": "c"}}, 'inner.mode: expected one of a, b, got "c"'),
        ({"name": "x", "retentionDays": "2"}, 'retentionDays: expected an integer, got "2"'),
        ({"name": "x", "retentionDays": True}, "retentionDays: expected an integer, got true"),
        ({"name": "x", "inner": "fast"}, 'inner: expected a map of settings, got "fast"'),
        ({"name": "x", "models": "a"}, 'models: expected a list, got "a"'),
        ({}, "name: required; set it in the stack file"),
    ],
)
def test_messages(data: dict, message: str) -> None:
    assert str(error_of(data)) == f"ai-observability:{message}"


def test_unknown_keys_list_the_allowed_ones_and_suggest_the_nearest() -> None:
    error = error_of({"name": "x", "inner": {"gpu": 2}})
    assert error.path == "ai-observability:inner.gpu"
    assert str(error).endswith(
        'unknown key (allowed: gpus, mode, percent, ratio); did you mean "gpus"?'
    )
    flat = error_of({"name": "x", "inner.gpus": 2})
    assert "to set a nested value use `pulumi config set --path`" in str(flat)


def test_a_check_locates_its_own_error_below_the_value() -> None:
    class Checked(Section):
        """Fails on a key below itself."""

        inner: Inner = doc(Inner(), "nested")

        def model_post_init(self, _: object) -> None:
            if self.inner.gpus > 4:
                raise fail("too many", "inner.gpus")

    with pytest.raises(ValidationError) as caught:
        Checked.model_validate({"inner": {"gpus": 8}})
    assert str(translate(caught.value, Checked, ("section",))) == (
        "ai-observability:section.inner.gpus: too many"
    )


def test_unknown_key_message_without_a_near_match() -> None:
    assert unknown_key_message("zzz", ["alpha", "beta"]) == "unknown key (allowed: alpha, beta)"
