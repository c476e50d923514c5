"""The pinned tools `make up` installs: the download and checksum per OS and architecture,
and an install that refuses a file whose SHA-256 is not the published one."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from components.versions import TOOLS
from scripts.tools import Download, current_platform, download_plan, expected_digest, install


@pytest.mark.parametrize(
    ("system", "machine", "pulumi", "kind", "kubectl"),
    [
        (
            "Linux",
            "x86_64",
            "pulumi-v{p}-linux-x64.tar.gz",
            "kind-linux-amd64",
            "bin/linux/amd64/kubectl",
        ),
        (
            "Linux",
            "aarch64",
            "pulumi-v{p}-linux-arm64.tar.gz",
            "kind-linux-arm64",
            "bin/linux/arm64/kubectl",
        ),
        (
            "Darwin",
            "x86_64",
            "pulumi-v{p}-darwin-x64.tar.gz",
            "kind-darwin-amd64",
            "bin/darwin/amd64/kubectl",
        ),
        (
            "Darwin",
            "arm64",
            "pulumi-v{p}-darwin-arm64.tar.gz",
            "kind-darwin-arm64",
            "bin/darwin/arm64/kubectl",
        ),
    ],
)
def test_each_platform_gets_its_own_files_and_checksums(
    system, machine, pulumi, kind, kubectl
) -> None:
    os_name, arch = current_platform(system, machine)
    plan = download_plan("pulumi", TOOLS["pulumi"], os_name, arch)
    name = pulumi.format(p=TOOLS["pulumi"])
    assert plan.url == f"https://get.pulumi.com/releases/sdk/{name}" and plan.checksum_name == name
    assert plan.checksum_url.endswith(f"/v{TOOLS['pulumi']}/pulumi-{TOOLS['pulumi']}-checksums.txt")
    kind_plan = download_plan("kind", TOOLS["kind"], os_name, arch)
    assert kind_plan.url.endswith(f"/v{TOOLS['kind']}/{kind}")
    assert kind_plan.checksum_url == kind_plan.url + ".sha256sum"
    kubectl_plan = download_plan("kubectl", TOOLS["kubectl"], os_name, arch)
    assert kubectl_plan.url == f"https://dl.k8s.io/release/v{TOOLS['kubectl']}/{kubectl}"
    assert kubectl_plan.checksum_url == kubectl_plan.url + ".sha256"


def test_an_unsupported_platform_says_so() -> None:
    with pytest.raises(SystemExit, match="no pinned tools for Windows"):
        current_platform("Windows", "AMD64")


def test_checksum_files_in_either_format() -> None:
    listing = "aaa  pulumi-v1-linux-x64.tar.gz\nbbb  pulumi-v1-darwin-arm64.tar.gz\n"
    assert expected_digest(listing, "pulumi-v1-darwin-arm64.tar.gz") == "bbb"
    assert expected_digest("CCC\n", None) == "ccc"
    with pytest.raises(SystemExit, match="list no pulumi-v2"):
        expected_digest(listing, "pulumi-v2")


def published(tmp_path: Path, name: str, data: bytes, digest: str | None = None) -> Download:
    (tmp_path / name).write_bytes(data)
    (tmp_path / f"{name}.sha").write_text(f"{digest or hashlib.sha256(data).hexdigest()}  {name}\n")
    return Download((tmp_path / name).as_uri(), (tmp_path / f"{name}.sha").as_uri(), name, None)


def test_a_binary_is_installed_only_with_the_published_checksum(tmp_path: Path) -> None:
    good = published(tmp_path, "kind-linux-amd64", b"#!/bin/sh\necho kind\n")
    (path,) = install("kind", good, tmp_path / "bin")
    assert path == tmp_path / "bin" / "kind" and path.stat().st_mode & 0o111
    bad = published(tmp_path, "kubectl", b"tampered", digest="0" * 64)
    with pytest.raises(SystemExit, match="published 0000"):
        install("kubectl", bad, tmp_path / "other")
    assert not (tmp_path / "other" / "kubectl").exists()


def test_the_pulumi_archive_brings_its_language_hosts(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in ("pulumi/pulumi", "pulumi/pulumi-language-python"):
            info = tarfile.TarInfo(name)
            info.size = len(name)
            archive.addfile(info, io.BytesIO(name.encode()))
    plan = published(tmp_path, "pulumi-v1-linux-x64.tar.gz", buffer.getvalue())
    plan = Download(plan.url, plan.checksum_url, plan.checksum_name, "pulumi")
    written = install("pulumi", plan, tmp_path / "bin")
    assert sorted(p.name for p in written) == ["pulumi", "pulumi-language-python"]
