"""Run the whole Pulumi program under mocks, the way the CLI would, and record what it registers.

Config comes from the `config:` block of Pulumi.yaml, then Pulumi.<stack>.yaml, then the test's
overrides and secrets, all as the strings the CLI passes. Mocks are set before the program runs
(it is executed fresh with runpy each time), and every export is awaited.
"""

from __future__ import annotations

import hashlib
import json
import os
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.settings import SETTINGS, get_root_resource, reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from scripts.stack_secrets import documented_secrets, needed_secrets
from scripts.stacks import is_global_view, stack_names
from tests.support import fake_tls

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "ai-observability"
# The cluster stacks; the global view (a stack with `global`) has tests of its own.
STACKS = tuple(s for s in stack_names() if not is_global_view(s))
GLOBAL_STACKS = tuple(s for s in stack_names() if is_global_view(s))
FAKE_GRAFANA_PASSWORD = "MockGrafanaAdminPassword0123456789"
FAKE_INGEST_TOKEN = "MockExporterIngestToken9876543210abcdef"


def fake_secret(stack: str, key: str, needs: str = "") -> str:
    """A made-up value of the form a secret key takes (a PagerDuty key, a URL, a JSON key...)."""
    digest = hashlib.sha256(f"{stack}/{key}".encode()).hexdigest()
    if key.startswith("alertmanagerSecrets."):
        pagerduty = needs.startswith("pagerduty")
        return digest[:32] if pagerduty else f"https://hooks.example.test/{stack}/{digest[:12]}"
    if key.endswith("serviceAccountKey"):
        return json.dumps({"type": "service_account", "project_id": stack, "private_key": digest})
    if key == "huggingFaceToken":
        return f"hf_{digest[:34]}"
    return f"{stack}-{key.rsplit('.', 1)[-1]}-{digest[:16]}"


def stack_secrets(stack: str) -> dict[str, str]:
    """`--path` key -> a made-up value of every secret the stack file tells the user to set (and
    every one its config requires)."""
    needed = needed_secrets(stack)
    keys = [*documented_secrets(stack), *(k for k in needed if k not in documented_secrets(stack))]
    return {key: fake_secret(stack, key, needed.get(key, "")) for key in keys}


def receiver_secrets(stack: str) -> dict[str, str]:
    """Role -> endpoint of the stack's receivers, as stack_secrets sets them."""
    prefix = "alertmanagerSecrets."
    return {k[len(prefix) :]: v for k, v in stack_secrets(stack).items() if k.startswith(prefix)}


SECRET_SIG = fake_tls.SECRET_SIG  # marks a secret value on the wire


@dataclass
class Registration:
    """One resource the program registered, with its inputs and options."""

    type: str
    name: str
    urn: str
    custom: bool
    inputs: dict[str, Any]
    parent: str
    provider: str
    dependencies: list[str]
    protect: bool
    retain_on_delete: bool
    # Each alias as a URN, or as a spec {name, type, parentUrn, noParent} (empty: the resource's).
    aliases: list[str | dict[str, Any]] = field(default_factory=list)


@dataclass
class ProgramRun:
    """Everything one run of the program produced."""

    stack: str
    resources: list[Registration]
    outputs: dict[str, Any]
    secret_outputs: set[str] = field(default_factory=set)

    def of_type(self, type_: str) -> list[Registration]:
        """Registrations of one type token."""
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        """The single registration of a type (and name)."""
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(found) == 1, (
            f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
        )
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        """The registration with this URN."""
        return next(r for r in self.resources if r.urn == urn)


# Outputs of other stacks of this project, as a StackReference reads them (the global view's
# `{name, stack}` clusters).
STACK_OUTPUTS: dict[str, dict[str, Any]] = {
    "acme/ai-observability/prod": {"storeApiAddress": "thanos-grpc.prod.example.internal:10901"},
}


class RecordingMocks(pulumi.runtime.Mocks):
    """Echo inputs back as state and fake the few computed outputs the program reads."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        if args.typ == "random:index/randomPassword:RandomPassword":
            grafana = "grafana" in args.name
            state["result"] = FAKE_GRAFANA_PASSWORD if grafana else FAKE_INGEST_TOKEN
        if args.typ == "kubernetes:helm.sh/v3:Release":
            state["status"] = {"status": "deployed", "name": args.inputs.get("name")}
        if args.typ in fake_tls.TYPES:
            state = fake_tls.new_resource(args.typ, dict(args.inputs))
        if args.typ == "pulumi:pulumi:StackReference":
            name = args.inputs["name"]
            state = {"name": name, "outputs": STACK_OUTPUTS.get(name, {}), "secretOutputNames": []}
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also keeps each registration's options (parent, provider, ...)."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    custom=request.custom,
                    inputs=inputs,
                    parent=request.parent,
                    provider=request.provider,
                    dependencies=list(request.dependencies),
                    protect=request.protect,
                    retain_on_delete=request.retainOnDelete,
                    aliases=[_alias(a) for a in request.aliases],
                )
            )
        return response

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """Reads (a StackReference) are recorded too, with what they read."""
        response = super().ReadResource(request)
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                custom=True,
                inputs=pulumi.runtime.rpc.deserialize_properties(request.properties),
                parent=request.parent,
                provider=request.provider,
                dependencies=list(request.dependencies),
                protect=False,
                retain_on_delete=False,
            )
        )
        return response


def _alias(alias: Any) -> str | dict[str, Any]:
    """An alias from a RegisterResource request: its URN, or its spec's fields."""
    if alias.WhichOneof("alias") == "urn":
        return alias.urn
    spec = alias.spec
    return {
        "name": spec.name,
        "type": spec.type,
        "parentUrn": spec.parentUrn,
        "noParent": spec.noParent,
    }


def _as_config_string(value: Any) -> str:
    """The CLI passes every config value as a string; maps, lists and numbers as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _full_key(key: str) -> str:
    return key if ":" in key else f"{PROJECT}:{key}"


def stack_config(stack: str) -> dict[str, str]:
    """Config as the CLI would pass it: Pulumi.yaml defaults, then Pulumi.<stack>.yaml."""
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    config: dict[str, str] = {}
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            config[_full_key(key)] = _as_config_string(spec.get("value", spec.get("default")))
    stack_file = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    for key, value in (stack_file.get("config") or {}).items():
        config[_full_key(key)] = _as_config_string(value)
    return config


def stack_document(stack: str) -> tuple[dict[str, Any], str | None]:
    """A stack file with its documented secrets, decoded as the loader does: (short key ->
    value, the kubeconfig context)."""
    raw: dict[str, Any] = {}
    context = None
    for key, text in stack_config(stack).items():
        if key == "kubernetes:context":
            context = text
        elif key.startswith(f"{PROJECT}:"):
            short = key.split(":", 1)[1]
            raw[short] = text if short in ("environment", "cluster") else json.loads(text)
    for path, value in stack_secrets(stack).items():
        top, _, key = path.partition(".")
        if key:
            raw.setdefault(top, {})[key] = value
        else:
            raw[top] = value
    return raw, context


def _apply_path(config: dict[str, str], path: str, value: Any) -> None:
    """`pulumi config set --path a.b.c value`, or delete when value is REMOVE."""
    top, _, rest = path.partition(".")
    full = _full_key(top)
    if not rest:
        if value is REMOVE:
            config.pop(full, None)
        else:
            config[full] = _as_config_string(value)
        return
    current = config.get(full)
    obj = json.loads(current) if current is not None else {}
    node = obj
    parts = rest.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    if value is REMOVE:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value
    config[full] = json.dumps(obj)


REMOVE = object()
"""Pass as an override value to delete a key."""


def run_program(
    stack: str,
    overrides: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    raw_config: dict[str, str] | None = None,
    via_environment: bool = False,
    program_path: Path | None = None,
) -> ProgramRun:
    """Run __main__.py for a stack under mocks and return what it registered and exported.

    overrides: `--path` style keys (prometheus.replicas) -> value, REMOVE to delete.
    secrets: `--path` style keys set as secrets; the receiver secrets of the stack by default.
    raw_config: full keys -> strings set verbatim (for keys `--path` cannot express).
    via_environment: pass config as the CLI's language host does, in PULUMI_CONFIG and
    PULUMI_CONFIG_SECRET_KEYS, instead of set_all_config.
    """
    config = stack_config(stack)
    for path, value in (overrides or {}).items():
        _apply_path(config, path, value)
    if secrets is None:
        secrets = stack_secrets(stack)
    secret_keys = set()
    for path, value in secrets.items():
        _apply_path(config, path, value)
        secret_keys.add(_full_key(path.split(".")[0]))
    config.update(raw_config or {})

    mocks = RecordingMocks()
    monitor = RecordingMonitor(mocks)
    if via_environment:
        os.environ["PULUMI_CONFIG"] = json.dumps(config)
        os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(sorted(secret_keys))
        pulumi.runtime.set_all_config({}, [])
    else:
        pulumi.runtime.set_all_config(config, sorted(secret_keys))
    # A fresh root resource: otherwise the stack outputs of earlier runs leak into this one.
    reset_options(project=PROJECT, stack=stack, preview=False)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()

    def program() -> None:
        runpy.run_path(str(program_path or ROOT / "__main__.py"), run_name="__main__")

    run = ProgramRun(stack=stack, resources=monitor.registrations, outputs={})
    try:
        _sync_await(run_pulumi_func(program))
    finally:
        run.resources = monitor.registrations
        if via_environment:
            del os.environ["PULUMI_CONFIG"], os.environ["PULUMI_CONFIG_SECRET_KEYS"]
    root = get_root_resource()
    for name, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        run.outputs[name] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            run.secret_outputs.add(name)
    return run


def run_failing_program(stack: str, **kwargs: Any) -> tuple[str, list[Registration]]:
    """Run a program expected to stop with pulumi.RunError: the message and what was registered."""
    monitor_holder: dict[str, RecordingMonitor] = {}
    original = RecordingMonitor.__init__

    def remember(self: RecordingMonitor, mocks: RecordingMocks) -> None:
        original(self, mocks)
        monitor_holder["monitor"] = self

    RecordingMonitor.__init__ = remember  # type: ignore[method-assign]
    try:
        run_program(stack, **kwargs)
    except pulumi.RunError as error:
        return str(error), monitor_holder["monitor"].registrations
    finally:
        RecordingMonitor.__init__ = original  # type: ignore[method-assign]
    raise AssertionError(f"the {stack} program did not stop with pulumi.RunError")


def iter_strings(value: Any, inside_secret: bool = False):
    """Yield (string, is_inside_a_secret) for every string in a deserialized input tree."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270":
            yield from iter_strings(value.get("value"), True)
            return
        for key, item in value.items():
            yield from iter_strings(key, inside_secret)
            yield from iter_strings(item, inside_secret)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from iter_strings(item, inside_secret)
    elif isinstance(value, str):
        yield value, inside_secret


def unwrap_secret(value: Any) -> Any:
    """The plain value inside a secret-wrapped input (or the value itself if not secret)."""
    if isinstance(value, dict) and value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270":
        return value["value"]
    return value
