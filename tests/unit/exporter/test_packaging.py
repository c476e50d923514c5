"""The exporter image's Dockerfile and requirements stay pinned, non-root and in step."""

from __future__ import annotations

import re
from pathlib import Path

from components import versions
from tests.support.paths import ROOT


def requirement_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_image_requirements_are_pinned_like_the_projects() -> None:
    image = requirement_pins(ROOT / "exporter" / "requirements.txt")
    project = requirement_pins(ROOT / "requirements.txt")
    assert set(image) == {"prometheus-client", "pyyaml", "kubernetes"}
    for name, version in image.items():
        assert project[name] == version, name


def test_dockerfile_is_pinned_and_non_root() -> None:
    text = (ROOT / "exporter" / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", text, flags=re.M)
    assert bases and all(re.search(r":\d[\w.-]*$", b) and not b.endswith(":latest") for b in bases)
    assert bases[-1] == versions.LOAD_GENERATOR_IMAGE.reference  # one pinned Python base
    user = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert user and not user[-1].startswith(("0", "root"))
    assert 'ENTRYPOINT ["python", "-m", "exporter"]' in text
