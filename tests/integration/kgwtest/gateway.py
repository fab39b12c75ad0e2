"""The kgw process under test: writes its YAML configuration (DESIGN.md
section 3), starts the binary, waits for its bootstrap port, captures its
stderr to a file and stops it with SIGTERM."""

import os
import signal
import subprocess
import time

from .util import REPO, free_port_range, port_open, wait_for

DEFAULT_BIN = os.path.join(REPO, "build", "gateway", "kgw")


def kgw_binary():
    return os.environ.get("KGW_BIN", DEFAULT_BIN)


def _yaml_list(items):
    return "[" + ", ".join('"%s"' % i for i in items) + "]"


class Kgw:
    """One kgw process in front of `backend` (a KafkaCluster or MockCluster)
    with a port_mapping listener on 127.0.0.1: the bootstrap port, then one
    port per broker id (min_broker_id 1)."""

    def __init__(self, backend, workdir, name="kgw", extra_ports=2, log_level="debug", workers=2):
        self.backend = backend
        self.workdir = workdir
        self.name = name
        # Bootstrap + one port per broker id 1..N, plus spares for new ids.
        self.port_count = 1 + backend.nodes + extra_ports
        self.first_port = free_port_range(self.port_count, avoid=backend.ports)
        self.bootstrap_port = self.first_port
        self.ports = list(range(self.first_port, self.first_port + self.port_count))
        self.bootstrap = "127.0.0.1:%d" % self.bootstrap_port
        self.config_path = os.path.join(workdir, "%s.yaml" % name)
        self.stderr_path = os.path.join(workdir, "%s.stderr.log" % name)
        self.stdout_path = os.path.join(workdir, "%s.stdout.log" % name)
        self.log_level = log_level
        self.workers = workers
        self.proc = None
        self.exit_codes = []
        # Ports a client must never see through this gateway.
        self.hidden_ports = list(backend.ports)
        self.write_config()

    def broker_port(self, node_id):
        """The gateway port that stands for backend broker `node_id`."""
        return self.first_port + 1 + (node_id - 1)

    def write_config(self):
        servers = _yaml_list(self.backend.bootstrap.split(","))
        text = """# Written by tests/integration (kgwtest/gateway.py).
workers: {workers}
log:
  level: {level}
  format: text

backend_clusters:
  - name: backend
    bootstrap_servers: {servers}
    metadata_update_interval_seconds: 10

virtual_clusters:
  - name: vc
    destination: backend

listeners:
  - name: test
    addresses: ["127.0.0.1"]
    ports: ["{first}-{last}"]
    forward:
      - type: port_mapping
        virtual_cluster: vc
        advertised_host: 127.0.0.1
        bootstrap_port: at_start
        min_broker_id: 1
""".format(
            workers=self.workers,
            level=self.log_level,
            servers=servers,
            first=self.ports[0],
            last=self.ports[-1],
        )
        with open(self.config_path, "w") as f:
            f.write(text)

    def start(self, timeout=20):
        """Starts kgw and waits (bounded) until its bootstrap port accepts
        connections; fails with the tail of its stderr if it exits."""
        binary = kgw_binary()
        if not os.access(binary, os.X_OK):
            raise AssertionError(
                "kgw binary %s not found or not executable (build it, or set KGW_BIN)" % binary
            )
        err = open(self.stderr_path, "ab")
        out = open(self.stdout_path, "ab")
        err.write(("=== %s starting %s -c %s\n" % (time.strftime("%H:%M:%S"), binary, self.config_path)).encode())
        err.flush()
        self.proc = subprocess.Popen(
            [binary, "-c", self.config_path],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        err.close()
        out.close()

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(
                    "kgw exited with %d during start-up; stderr:\n%s"
                    % (self.proc.returncode, self.stderr_tail())
                )
            return port_open(self.bootstrap_port)

        wait_for(up, timeout, what="kgw's bootstrap port %d" % self.bootstrap_port)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM and a bounded wait; returns kgw's exit code (None if it
        had to be killed). Records every exit code in self.exit_codes."""
        if self.proc is None:
            return None
        code = self.proc.poll()
        if code is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
                code = None
        self.exit_codes.append(code)
        self.proc = None
        return code

    def restart(self):
        code = self.stop()
        assert code == 0, "kgw exited with %s on SIGTERM (want 0); stderr:\n%s" % (code, self.stderr_tail())
        return self.start()

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_size(self):
        try:
            return os.path.getsize(self.stderr_path)
        except FileNotFoundError:
            return 0

    def stderr_since(self, offset):
        with open(self.stderr_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def stderr_tail(self, lines=40):
        return "\n".join(self.stderr_text().splitlines()[-lines:])


class Direct:
    """Stands in for Kgw when KGW_TEST_DIRECT=1: clients talk to the backend
    itself. Only for checking the harness and the scenarios' own logic; the
    address-leak assertions are void (nothing is hidden)."""

    def __init__(self, backend):
        self.backend = backend
        self.name = "direct"
        self.bootstrap = backend.bootstrap
        self.bootstrap_port = backend.broker_ports[0]
        self.hidden_ports = []
        self.exit_codes = []
        self.proc = None
        self.stderr_path = "/dev/null"

    def broker_port(self, node_id):
        return self.backend.broker_ports[node_id - 1]

    def start(self):
        return self

    def stop(self):
        return 0

    def restart(self):
        return self

    def running(self):
        return True

    def stderr_text(self):
        return ""

    def stderr_tail(self, lines=40):
        return ""

    def stderr_size(self):
        return 0

    def stderr_since(self, offset):
        return ""
