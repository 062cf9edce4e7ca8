"""``teleservices serve`` (what ``make demo`` ends with) really serves the platform: the embedded
mode once printed its logins and exited because ``app.run`` is ignored under the CLI."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_http_requests(tmp_path):
    port = _free_port()
    env = {**os.environ, "TELESERVICES_INSTANCE_PATH": str(tmp_path)}
    command = Path(sys.executable).with_name("teleservices")
    subprocess.run([str(command), "db", "upgrade"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [str(command), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    assert r.status == 200 and b'"ok"' in r.read()
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)
