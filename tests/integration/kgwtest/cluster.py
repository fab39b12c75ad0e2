"""The backends: a real Apache Kafka cluster (tools/kafka-cluster.sh) and
librdkafka's mock cluster (tools/kgw-mock-cluster.c)."""

import os
import signal
import subprocess

from .util import CACHE, REPO, free_port_range, port_free

CLUSTER_SH = os.path.join(REPO, "tools", "kafka-cluster.sh")


def _env_file(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                values[k] = v
    return values


class KafkaCluster:
    """A KRaft cluster of `nodes` combined broker+controller nodes on
    127.0.0.1, run by tools/kafka-cluster.sh in `directory`."""

    def __init__(self, directory, owned):
        self.dir = os.path.abspath(directory)
        self.owned = owned  # stop it at the end of the session
        env = _env_file(os.path.join(self.dir, "cluster.env"))
        self.nodes = int(env["KGW_KAFKA_NODES"])
        self.base_port = int(env["KGW_KAFKA_BASE_PORT"])

    @classmethod
    def start(cls, directory, nodes=3, timeout=240):
        """Starts (or, if `directory` already holds one, restarts) a cluster."""
        env_path = os.path.join(directory, "cluster.env")
        args = [CLUSTER_SH, "start", "--dir", directory]
        if not os.path.exists(env_path):
            # Broker ports base..base+n-1 and controller ports base+100...
            while True:
                base = free_port_range(nodes, 20000, 32600)
                if all(port_free(base + 100 + i) for i in range(nodes)):
                    break
            args += ["--nodes", str(nodes), "--base-port", str(base)]
        else:
            env = _env_file(env_path)
            args += ["--nodes", env["KGW_KAFKA_NODES"], "--base-port", env["KGW_KAFKA_BASE_PORT"]]
        run = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        if run.returncode != 0:
            raise RuntimeError("kafka-cluster.sh start failed (%d):\n%s" % (run.returncode, run.stderr))
        return cls(directory, owned=True)

    @classmethod
    def attach(cls, directory):
        """Uses a running cluster started earlier with kafka-cluster.sh."""
        c = cls(directory, owned=False)
        status = subprocess.run(
            [CLUSTER_SH, "status", "--dir", c.dir], capture_output=True, text=True, timeout=30
        )
        if status.returncode != 0:
            raise RuntimeError("the cluster in %s is not fully running:\n%s" % (c.dir, status.stdout))
        return c

    def broker_port(self, node):
        return self.base_port + node - 1

    @property
    def ports(self):
        """Every port a client must never see: brokers and controllers."""
        return [self.broker_port(i) for i in range(1, self.nodes + 1)] + [
            self.base_port + 100 + i for i in range(self.nodes)
        ]

    @property
    def broker_ports(self):
        return [self.broker_port(i) for i in range(1, self.nodes + 1)]

    @property
    def bootstrap(self):
        return ",".join("127.0.0.1:%d" % p for p in self.broker_ports)

    def stop_node(self, node, timeout=120):
        subprocess.run(
            [CLUSTER_SH, "stop-node", "--dir", self.dir, "--node", str(node)],
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def start_node(self, node, timeout=180):
        run = subprocess.run(
            [CLUSTER_SH, "start-node", "--dir", self.dir, "--node", str(node)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if run.returncode != 0:
            raise RuntimeError("start-node %d failed:\n%s" % (node, run.stderr))

    def ensure_running(self):
        """Restarts any node a failed test left stopped."""
        status = subprocess.run(
            [CLUSTER_SH, "status", "--dir", self.dir], capture_output=True, text=True, timeout=30
        )
        for line in status.stdout.splitlines():
            if line.endswith(" stopped"):
                self.start_node(int(line.split()[1]))

    def stop(self):
        subprocess.run([CLUSTER_SH, "stop", "--dir", self.dir], capture_output=True, timeout=180)

    def tool(self, name, *args, input=None, timeout=120, check=False):
        """Runs one of Kafka's command-line tools (kafka-topics, ...) and
        returns the CompletedProcess (text)."""
        run = subprocess.run(
            [CLUSTER_SH, "bin", name] + [str(a) for a in args],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and run.returncode != 0:
            raise AssertionError(
                "%s %s exited %d:\nstdout: %s\nstderr: %s"
                % (name, " ".join(map(str, args)), run.returncode, run.stdout[-3000:], run.stderr[-3000:])
            )
        return run


def java_tool(name, *args, input=None, timeout=120, check=False):
    """Runs a Kafka command-line tool without needing a cluster object."""
    run = subprocess.run(
        [CLUSTER_SH, "bin", name] + [str(a) for a in args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and run.returncode != 0:
        raise AssertionError(
            "%s %s exited %d:\nstdout: %s\nstderr: %s"
            % (name, " ".join(map(str, args)), run.returncode, run.stdout[-3000:], run.stderr[-3000:])
        )
    return run


MOCK_SRC = os.path.join(REPO, "tools", "kgw-mock-cluster.c")
MOCK_BIN = os.path.join(CACHE, "bin", "kgw-mock-cluster")


def build_mock_cluster():
    """Builds tools/kgw-mock-cluster.c against Debian's librdkafka into
    ~/.cache/kgw/bin when missing or older than its source; returns the path."""
    if os.path.exists(MOCK_BIN) and os.path.getmtime(MOCK_BIN) >= os.path.getmtime(MOCK_SRC):
        return MOCK_BIN
    os.makedirs(os.path.dirname(MOCK_BIN), exist_ok=True)
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "rdkafka"], capture_output=True, text=True, check=True
    ).stdout.split()
    tmp = MOCK_BIN + ".tmp%d" % os.getpid()
    subprocess.run(
        ["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-o", tmp, MOCK_SRC] + flags,
        check=True,
    )
    os.replace(tmp, MOCK_BIN)
    return MOCK_BIN


class MockCluster:
    """librdkafka's mock cluster in a child process (ids 1..brokers)."""

    def __init__(self, brokers=3, topics=()):
        binary = build_mock_cluster()
        args = [binary, "--brokers", str(brokers)]
        for name, partitions in topics:
            args += ["--topic", "%s:%d" % (name, partitions)]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        line = self.proc.stdout.readline().strip()
        if not line:
            self.proc.kill()
            raise RuntimeError("kgw-mock-cluster printed no bootstrap servers: %s" % self.proc.stderr.read())
        self.bootstrap = line
        self.broker_ports = [int(hp.rsplit(":", 1)[1]) for hp in line.split(",")]
        self.ports = self.broker_ports
        self.nodes = brokers

    def stop(self):
        """SIGTERM, bounded wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode
