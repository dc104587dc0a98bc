"""``optimlab play``: the message without the extra, and a real server that stops on Ctrl-C."""

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimlab.cli import main

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_without_the_play_extra_the_command_says_so_in_one_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "bokeh" else real(name, *a)
    )
    result = CliRunner().invoke(main, ["play", "--no-browser"])
    assert result.exit_code == 1
    assert result.output == "optimlab play needs the play extra: pip install 'optimlab[play]'\n"


def test_help_lists_the_options():
    result = CliRunner().invoke(main, ["play", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--no-browser", "--config"):
        assert option in result.output


def test_a_bad_config_file_is_one_line(tmp_path):
    pytest.importorskip("bokeh")
    bad = tmp_path / "view.toml"
    bad.write_text("[play]\nsurface = 'moon'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["play", "--no-browser", "--config", str(bad)])
    assert result.exit_code == 2
    assert "Invalid surface: 'moon'" in result.output and "Traceback" not in result.output


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening_addresses(port):
    """The local addresses listening on ``port``, from the kernel's socket tables (Linux)."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.append(address)
    return addresses


@pytest.mark.slow
def test_the_server_listens_on_loopback_serves_bokehjs_itself_and_stops_on_ctrl_c():
    pytest.importorskip("bokeh")
    pytest.importorskip("sympy")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "optimlab", "play", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        assert line.strip() == f"optimlab play: http://127.0.0.1:{port}/ (Ctrl-C stops it)"
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/?surface=beale", timeout=60).read()
        page = page.decode()
        assert "/static/js/bokeh.min.js" in page
        assert "cdn.bokeh.org" not in page and "https://" not in page.split("<body")[0]
        script = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/js/bokeh.min.js", timeout=30
        )
        assert len(script.read()) > 100_000
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(port) == ["0100007F"]  # 127.0.0.1, nothing else
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert output.strip().endswith("optimlab play: stopped")
    assert "Traceback" not in output
