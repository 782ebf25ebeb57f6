"""A real Ray head node on loopback for the tests in this directory.

Shared by test_ray_integration.py (raygate in front of Ray's job API) and
test_audit_ray.py (rolegate.audit on Ray Data). Every Ray process a test
starts runs in a session of its own and is ended by that session id, never
with `ray stop`, which kills every Ray process on the machine by name.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def env(ray_bin):
    """The environment for Ray, its CLI and drivers: loopback only, no usage
    reporting, no token authentication, no HTTP proxy or Ray address
    inherited from the caller."""
    out = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "ray_address",
                                "ray_api_server_address", "ray_job_headers")}
    out.update({
        "RAY_USAGE_STATS_ENABLED": "0",
        # Single-machine mode: Ray uses 127.0.0.1 for every component instead
        # of the machine's routable address.
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        # Ray 2.60's `ray start` turns token authentication on by default
        # (and whenever ~/.ray/auth_token exists), which makes the dashboard
        # answer 401 to the tests' direct requests and a driver without the
        # token retry for minutes. raygate does not forward a cluster token
        # (examples/raygate/README.md, "Not covered"), so these loopback-only
        # test clusters run without it, explicitly, on every machine.
        "RAY_AUTH_MODE": "disabled",
    })
    if ray_bin:  # jobs and workers run `python` from PATH: the virtualenv's
        out["PATH"] = str(Path(ray_bin).parent) + os.pathsep + out.get("PATH", "")
    return out


def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def session_pids(sid, include_zombies=True):
    """Processes in session sid (every Ray process a `ray start` spawned)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[3]) == sid and (include_zombies or fields[0] != "Z"):
            out.append(int(d))
    return out


def kill_session(sid, grace=8.0):
    """Ends the Ray processes of session sid: SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in session_pids(sid, include_zombies=False):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + grace
        while session_pids(sid, include_zombies=False) and time.time() < deadline:
            time.sleep(0.2)
        if not session_pids(sid, include_zombies=False):
            return


def start_head(ray_bin, work, name, *, num_cpus=1, dashboard=True, extra_ports=0):
    """Starts `ray start --head` in a new session; returns (proc, ports, log
    file). ports: gcs, dashboard, client, agent http, agent grpc, runtime env,
    metrics, then extra_ports more. The session id (proc.pid) is appended to
    work/ray-sessions for run.sh's trap."""
    ports = free_ports(7 + extra_ports)
    gcs, dash, client, agent_http, agent_grpc, runtime_env, metrics = ports[:7]
    tmp = Path(work) / f"ray-{name}"
    tmp.mkdir(parents=True, exist_ok=True)
    log = open(Path(work) / f"ray-start-{name}.log", "w")
    cmd = [ray_bin, "start", "--head", f"--num-cpus={num_cpus}", "--node-ip-address=127.0.0.1",
           f"--port={gcs}", f"--include-dashboard={'true' if dashboard else 'false'}",
           "--dashboard-host=127.0.0.1", f"--dashboard-port={dash}",
           f"--ray-client-server-port={client}", f"--dashboard-agent-listen-port={agent_http}",
           f"--dashboard-agent-grpc-port={agent_grpc}", f"--runtime-env-agent-port={runtime_env}",
           f"--metrics-export-port={metrics}", "--min-worker-port=0", "--max-worker-port=0",
           f"--temp-dir={tmp}", "--disable-usage-stats", "--log-style=record"]
    proc = subprocess.Popen(cmd, env=env(ray_bin), stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    with open(Path(work) / "ray-sessions", "a") as f:
        f.write(f"{proc.pid}\n")
    return proc, ports, log


@contextlib.contextmanager
def driver(ray_bin, work, name, *, num_cpus):
    """A head node without dashboard, and this process joined to it as the
    Ray driver; yields its GCS address and ends both. os.environ must hold
    env(ray_bin) before Ray is first imported (Ray reads it at import)."""
    import ray
    proc, ports, log = start_head(ray_bin, work, name, num_cpus=num_cpus, dashboard=False)
    try:
        rc = proc.wait(timeout=180)
        if rc != 0:
            raise RuntimeError(f"ray start for {name} failed ({rc}): "
                               + (Path(work) / f"ray-start-{name}.log").read_text()[-3000:])
        address = f"127.0.0.1:{ports[0]}"
        ray.init(address=address, _node_ip_address="127.0.0.1", logging_level="WARNING", log_to_driver=False)
        yield address
    finally:
        if ray.is_initialized():
            ray.shutdown()
        kill_session(proc.pid)
        log.close()
