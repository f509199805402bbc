"""The shipped deployment files: nginx serving out/ for real, and the unit and cron line as written."""

from __future__ import annotations

import gzip
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_feeds

from feeds.layout import TEMP_PREFIX

DEPLOY = ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx(project: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Debian's nginx on 127.0.0.1 with deploy/nginx.conf, serving a real build of the seeds."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.skip("nginx is not installed (.ci/run installs Debian's nginx-light)")
    assert run_feeds("build", cwd=project).returncode == 0
    port = free_port()
    runtime = tmp_path_factory.mktemp("nginx")
    server = (DEPLOY / "nginx.conf").read_text()
    server = server.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};")
    server = server.replace("root /srv/enbekshi-feeds/out;", f"root {project / 'out'};")
    temp_paths = "\n".join(f"    {kind}_temp_path {runtime}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (runtime / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\ndaemon off;\npid {runtime}/nginx.pid;\nerror_log {runtime}/error.log;\n"
        f"events {{}}\nhttp {{\n    access_log {runtime}/access.log;\n{temp_paths}\n{server}\n}}\n"
    )
    process = subprocess.Popen([binary, "-c", str(runtime / "nginx.conf"), "-p", str(runtime)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def curl(*args: str) -> tuple[dict[str, str], bytes, int]:
    result = subprocess.run(["curl", "-s", "-D", "-", *args], capture_output=True, timeout=30, check=True)
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return headers, body, status


@pytest.mark.slow
def test_nginx_serves_feeds_with_type_validators_and_304(nginx: str, project: Path) -> None:
    headers, body, status = curl(f"{nginx}/lang/en.atom")
    assert status == 200 and headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert body == (project / "out/lang/en.atom").read_bytes()
    assert headers["etag"] and headers["last-modified"] and headers["access-control-allow-origin"] == "*"
    _, _, not_modified = curl("-H", f"If-None-Match: {headers['etag']}", f"{nginx}/lang/en.atom")
    assert not_modified == 304
    _, _, since = curl("-H", f"If-Modified-Since: {headers['last-modified']}", f"{nginx}/lang/en.atom")
    assert since == 304


@pytest.mark.slow
def test_nginx_compresses_on_request_and_hides_temporary_files(nginx: str, project: Path) -> None:
    headers, body, status = curl("-H", "Accept-Encoding: gzip", f"{nginx}/all.atom")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == (project / "out/all.atom").read_bytes()
    (project / f"out/{TEMP_PREFIX}all.atom.x1").write_text("half a feed")
    assert curl(f"{nginx}/{TEMP_PREFIX}all.atom.x1")[2] == 404


def test_systemd_unit_runs_watch_unprivileged_and_restarts_on_failure() -> None:
    unit = (DEPLOY / "enbekshi-feeds.service").read_text()
    assert "ExecStart=/srv/enbekshi-feeds/.venv/bin/feeds watch --config" in unit
    assert "User=feeds" in unit and "Restart=on-failure" in unit and "KillSignal=SIGTERM" in unit
    if shutil.which("systemd-analyze"):
        check = subprocess.run(["systemd-analyze", "verify", str(DEPLOY / "enbekshi-feeds.service")], capture_output=True, text=True, check=False)
        assert "Unknown key" not in check.stderr and "Invalid" not in check.stderr


def test_cron_line_runs_a_quiet_build() -> None:
    (line,) = [line for line in (DEPLOY / "crontab").read_text().splitlines() if line and not line.startswith("#")]
    fields = line.split(None, 6)
    assert fields[:5] == ["*/5", "*", "*", "*", "*"] and fields[5] == "feeds"
    assert fields[6].endswith("feeds build --config config.yaml -q")
