"""The pinned command-line tools `make up` needs (Pulumi CLI, kind, kubectl), installed into a
project-local folder when they are missing, each download checked against the SHA-256 its
project publishes for that release.

    python -m scripts.tools [--dir .tools] pulumi kind kubectl    prints the bin directory
"""

from __future__ import annotations

import argparse
import hashlib
import io
import platform
import stat
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from components.versions import TOOLS

ROOT = Path(__file__).resolve().parents[1]
# (platform.system(), platform.machine()) -> (os, arch) as the projects name them.
PLATFORMS = {
    ("Linux", "x86_64"): ("linux", "amd64"),
    ("Linux", "aarch64"): ("linux", "arm64"),
    ("Darwin", "x86_64"): ("darwin", "amd64"),
    ("Darwin", "arm64"): ("darwin", "arm64"),
}


@dataclass(frozen=True)
class Download:
    """Where a tool comes from and how it is checked."""

    url: str
    checksum_url: str
    checksum_name: str | None  # the file's name in a multi-line checksums file; None: one hash
    archive_dir: str | None  # the directory of a tar.gz whose files are the tool; None: a binary


def current_platform(system: str | None = None, machine: str | None = None) -> tuple[str, str]:
    """The (os, arch) of this machine, or a clear error where the tools are not published."""
    key = (system or platform.system(), machine or platform.machine())
    if key not in PLATFORMS:
        raise SystemExit(f"error: no pinned tools for {key[0]} {key[1]}; install them yourself")
    return PLATFORMS[key]


def download_plan(tool: str, version: str, os_name: str, arch: str) -> Download:
    """The release files of one tool for one platform."""
    if tool == "pulumi":
        name = f"pulumi-v{version}-{os_name}-{'x64' if arch == 'amd64' else arch}.tar.gz"
        releases = f"https://github.com/pulumi/pulumi/releases/download/v{version}"
        return Download(
            f"https://get.pulumi.com/releases/sdk/{name}",
            f"{releases}/pulumi-{version}-checksums.txt",
            name,
            "pulumi",
        )
    if tool == "kind":
        url = f"https://github.com/kubernetes-sigs/kind/releases/download/v{version}/kind-{os_name}-{arch}"
        return Download(url, f"{url}.sha256sum", f"kind-{os_name}-{arch}", None)
    if tool == "kubectl":
        url = f"https://dl.k8s.io/release/v{version}/bin/{os_name}/{arch}/kubectl"
        return Download(url, f"{url}.sha256", None, None)
    raise SystemExit(f"error: unknown tool {tool} (known: {', '.join(TOOLS)})")


def expected_digest(checksums: str, name: str | None) -> str:
    """The SHA-256 for `name` in a checksums file ("<hash>  <name>" lines, or one bare hash)."""
    for line in checksums.splitlines():
        fields = line.split()
        if fields and (name is None or (len(fields) > 1 and fields[-1].lstrip("*") == name)):
            return fields[0].lower()
    raise SystemExit(f"error: the published checksums list no {name}")


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read()


def install(tool: str, download: Download, bin_dir: Path) -> list[Path]:
    """Download, verify and unpack one tool into bin_dir; the executables written."""
    data = _fetch(download.url)
    expected = expected_digest(_fetch(download.checksum_url).decode(), download.checksum_name)
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise SystemExit(f"error: {download.url} has SHA-256 {actual}, published {expected}")
    bin_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {tool: data}
    if download.archive_dir is not None:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            files = {
                Path(member.name).name: archive.extractfile(member).read()  # type: ignore[union-attr]
                for member in archive.getmembers()
                if member.isfile() and Path(member.name).parent.name == download.archive_dir
            }
    written = []
    for name, content in files.items():
        path = bin_dir / name
        path.write_bytes(content)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Install the named tools that .tools/bin does not have yet; print the bin directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / ".tools")
    parser.add_argument("tools", nargs="+", choices=sorted(TOOLS))
    args = parser.parse_args(argv)
    bin_dir = args.dir / "bin"
    os_name, arch = current_platform()
    for tool in args.tools:
        if not (bin_dir / tool).exists():
            version = TOOLS[tool]
            print(f"installing {tool} {version} ({os_name}/{arch}) into {bin_dir}", file=sys.stderr)
            install(tool, download_plan(tool, version, os_name, arch), bin_dir)
    print(bin_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
