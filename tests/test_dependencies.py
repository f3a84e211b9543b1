"""Every machine installs the same packages (a lock with hashes), and the vulnerability audit never claims a
check it could not make."""

import importlib.metadata
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[normal(match[1])] = match[2]
    return found


def locked(path: Path) -> dict[str, list[str]]:
    """{package: [its hashes]} from a pip-compile lock."""
    packages, current = {}, None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = normal(match[1])
            packages[current] = []
        elif current and "--hash=sha256:" in line:
            packages[current].append(line.split("--hash=sha256:")[1].split()[0])
    return packages


@pytest.mark.parametrize(
    "source, lock", [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")]
)
def test_the_locks_pin_every_package_with_its_hashes(source, lock):
    wanted, packages = pins(ROOT / source), locked(ROOT / lock)
    assert wanted, source
    for name, version in wanted.items():
        assert pins(ROOT / lock).get(name) == version, f"{name}=={version} of {source} is not what {lock} pins"
    assert len(packages) > len(wanted)  # the transitive dependencies are pinned too
    unhashed = [name for name, hashes in packages.items() if not hashes]
    assert not unhashed, f"{lock} has packages without hashes: {unhashed}"
    assert not re.search(r"file://|/opt/|--(extra-)?index-url|--find-links", (ROOT / lock).read_text())


def test_the_dev_lock_keeps_the_runtime_versions():
    runtime, dev = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_make_installs_the_locks_with_hashes_and_this_environment_is_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "install --quiet --require-hashes -r requirements.txt" in makefile
    assert "install --quiet --require-hashes -r requirements-dev.txt" in makefile
    assert "pip-compile" in makefile and "--generate-hashes" in makefile
    installed = {normal(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    differ = {
        name: (version, installed.get(name))
        for name, version in pins(ROOT / "requirements-dev.txt").items()
        if installed.get(name) != version and name not in ("pip", "setuptools", "wheel")
    }
    assert not differ, f"installed packages differ from requirements-dev.txt (lock, installed): {differ}"


def test_pip_audit_says_not_audited_when_the_advisory_service_cannot_be_reached():
    """With the advisory services out of reach, the step passes but its last line says NOT AUDITED."""
    unreachable = "http://127.0.0.1:9"  # the discard port: nothing answers
    environment = {k: v for k, v in os.environ.items() if k.lower() not in ("https_proxy", "http_proxy", "no_proxy")}
    environment.update({"HTTPS_PROXY": unreachable, "HTTP_PROXY": unreachable})
    done = subprocess.run(
        ["bash", ".ci/pip-audit"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines and "NOT AUDITED" in lines[-1], lines[-5:]
