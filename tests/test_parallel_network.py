"""The chief's oracle: loopback unless bound wider, a token on every call, one chief a port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from automl.errors import AutoMLError
from automl.search.request import SearchRequest
from tests.conftest import ROOT


def _request(**changes) -> SearchRequest:
    return SearchRequest(data=Path("d.csv"), target="y", out=Path("o"), **changes)


def test_a_chief_listens_on_loopback_unless_bound_wider():
    assert _request(chief=True).oracle_host == "127.0.0.1"
    assert _request(workers=2).oracle_host == "127.0.0.1"
    assert _request(chief=True, bind="0.0.0.0").oracle_host == "0.0.0.0"
    with pytest.raises(AutoMLError, match="--bind 0.0.0.0: only a --chief search"):
        _request(workers=2, bind="0.0.0.0")


def test_bind_without_chief_gets_one_line_and_exit_2(tmp_path):
    from tests.conftest import PENGUINS, run_cli

    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(tmp_path / "b"),
        "--workers", "2", "--bind", "0.0.0.0",
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "automl: error: --bind 0.0.0.0: only a --chief search listens for other machines; "
        "add --chief"
    ]
    assert not (tmp_path / "b").exists()


def test_the_address_and_token_are_not_recorded_so_a_resume_stays_on_loopback():
    request = _request(chief=True, bind="0.0.0.0", token="s3cret")
    recorded = request.to_dict()
    assert "bind" not in recorded and "token" not in recorded
    assert "s3cret" not in repr(request)
    resumed = SearchRequest.from_dict(recorded)
    assert resumed.bind is None and resumed.token is None
    assert resumed.oracle_host == "127.0.0.1"


def test_to_argv_carries_bind_and_never_the_token():
    argv = _request(chief=True, bind="0.0.0.0", token="s3cret").to_argv()
    assert argv[argv.index("--bind") + 1] == "0.0.0.0"
    assert "s3cret" not in " ".join(argv)


@pytest.fixture(scope="module")
def oracle():
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.Int("units", 8, 64)
    return keras_tuner.oracles.RandomSearchOracle(
        objective="val_loss", max_trials=3, hyperparameters=hp
    )


@pytest.fixture
def served(oracle):
    from automl.search.parallel.servicer import serve_oracle

    server, servicer, address = serve_oracle(oracle, None, "127.0.0.1", None, "right")
    yield servicer, address
    server.stop(0)


def test_the_oracle_answers_only_its_token(served):
    from automl.search.parallel.auth import check_token

    servicer, address = served
    check_token(address, "right", "w1", wait_s=10)
    assert "w1" in servicer.last_contact
    with pytest.raises(AutoMLError, match="refused this worker's token"):
        check_token(address, "wrong", "w2", wait_s=10)
    with pytest.raises(AutoMLError, match="give --token or set AUTOML_TOKEN"):
        check_token(address, None, "w2", wait_s=10)
    assert "w2" not in servicer.last_contact


def _listening_addresses(port: int) -> set[str]:
    """Returns the addresses this machine listens on at `port` (Linux's socket tables).

    gRPC listens on an IPv6 socket: 127.0.0.1 shows there as ::ffff:127.0.0.1.
    """
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        pytest.skip("no /proc/net/tcp to read the listening sockets from")
    found = set()
    for table in tables:
        rows = table.read_text().splitlines()[1:] if table.exists() else []
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            hex_address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(hex_address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
            found.add(socket.inet_ntop(family, raw).removeprefix("::ffff:"))
    return found


def test_the_oracle_listens_on_loopback_only_by_default(served):
    _, address = served
    assert address.startswith("127.0.0.1:")
    assert _listening_addresses(int(address.rpartition(":")[2])) == {"127.0.0.1"}


def test_two_chiefs_cannot_serve_one_port(oracle, served):
    from automl.search.parallel.servicer import serve_oracle

    _, address = served
    port = int(address.rpartition(":")[2])
    with pytest.raises(AutoMLError, match=f"--port {port}: the port is in use"):
        serve_oracle(oracle, None, "127.0.0.1", port, "other")


def test_a_remote_worker_is_judged_by_its_heartbeat_and_a_local_one_by_its_process(served):
    from automl.search.parallel.auth import Heartbeat

    servicer, address = served
    servicer.oracle.ongoing_trials.update({"remote": object(), "tuner0": object()})
    try:
        long_ago = time.monotonic() - 60
        servicer.last_contact.update(remote=long_ago, tuner0=long_ago)
        # A minute without a call (a long epoch, say): the remote worker is silent; the
        # local one is never judged so (its process is watched instead).
        assert servicer.silent_workers(30, local={"tuner0"}) == ["remote"]
        with Heartbeat(address, "right", "remote", every_s=0.1):
            time.sleep(1.0)
        assert servicer.silent_workers(30, local={"tuner0"}) == []
    finally:
        servicer.oracle.ongoing_trials.clear()


def test_a_worker_with_a_wrong_token_gets_one_line_and_exit_2(served, tmp_path):
    _, address = served
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTOML_TOKEN": "wrong"}
    done = subprocess.run(
        [sys.executable, "-m", "automl", "worker", "--oracle", address,
         "--experiment", str(tmp_path), "--wait", "20"],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused this worker's token" in lines[0]


def test_a_chief_prints_its_random_token_listens_on_loopback_and_ends_on_sigterm(tmp_path):
    import signal

    from automl.search.parallel.auth import check_token
    from tests.conftest import PENGUINS

    env = {k: v for k, v in os.environ.items() if k != "AUTOML_TOKEN"}
    chief = subprocess.Popen(
        [sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
         "--out", str(tmp_path / "chief"), "--project", str(tmp_path), "--chief",
         "--workers", "0", "--max-trials", "2", "--epochs", "2"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, env={**env, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        line = next(line for line in chief.stderr if line.startswith("workers join with: "))
        token = line.split("AUTOML_TOKEN=")[1].split()[0]
        address = line.split("--oracle ")[1].split()[0]
        port = int(address.rpartition(":")[2])
        assert _listening_addresses(port) == {"127.0.0.1"}
        check_token(f"127.0.0.1:{port}", token, "probe", wait_s=30)
        with pytest.raises(AutoMLError, match="refused"):
            check_token(f"127.0.0.1:{port}", token + "x", "probe", wait_s=30)
        chief.send_signal(signal.SIGTERM)  # no worker ever came: it ends all the same
        chief.stderr.read()
        code = chief.wait(timeout=120)
    finally:
        chief.kill()
    assert code == 3  # no trial succeeded, and the summary says so
    assert (tmp_path / "chief" / "summary.json").exists()


def test_bind_to_an_address_of_another_machine_is_refused():
    from automl.search.parallel.ports import check_host

    check_host("127.0.0.1")
    check_host("0.0.0.0")
    with pytest.raises(AutoMLError, match="--bind 203.0.113.7: not an address of this machine"):
        check_host("203.0.113.7")  # TEST-NET-3: never a local address
