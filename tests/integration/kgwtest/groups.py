"""Consumer-group members driven from threads (confluent-kafka and
kafka-python) or as Java console-consumer processes, with the bookkeeping a
user checks: who owns which partitions, what each member received, and
whether its commits succeeded."""

import os
import signal
import subprocess
import threading

from .cluster import CLUSTER_SH


class CkMember(threading.Thread):
    """A confluent-kafka group member committing synchronously after each
    batch it processed. protocol: "classic" or "consumer" (KIP-848)."""

    def __init__(self, bootstrap, group, topic, protocol, name):
        super().__init__(name=name, daemon=True)
        from confluent_kafka import Consumer

        conf = {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "group.protocol": protocol,
        }
        if protocol == "classic":
            conf["session.timeout.ms"] = 10000
            conf["heartbeat.interval.ms"] = 1000
        self.consumer = Consumer(conf)
        self.consumer.subscribe([topic])
        self.values = []
        self.assignment = frozenset()
        self.commit_failures = []
        self.errors = []
        self.halt = threading.Event()
        self.closed = threading.Event()

    def run(self):
        from confluent_kafka import KafkaError, KafkaException

        try:
            while not self.halt.is_set():
                msgs = self.consumer.consume(num_messages=200, timeout=0.3)
                got = False
                for m in msgs:
                    if m.error():
                        if m.error().code() != KafkaError._PARTITION_EOF:
                            self.errors.append(str(m.error()))
                        continue
                    self.values.append(m.value())
                    got = True
                if got:
                    try:
                        self.consumer.commit(asynchronous=False)
                    except KafkaException as e:
                        self.commit_failures.append(str(e))
                self.assignment = frozenset(tp.partition for tp in self.consumer.assignment())
        finally:
            self.consumer.close()
            self.assignment = frozenset()
            self.closed.set()

    def leave(self, timeout=30):
        self.halt.set()
        self.join(timeout)
        assert self.closed.is_set(), "%s did not close within %d s" % (self.name, timeout)


class KpMember(threading.Thread):
    """A kafka-python group member (classic protocol), committing
    synchronously after each batch."""

    def __init__(self, bootstrap, group, topic, name):
        super().__init__(name=name, daemon=True)
        from kafka import KafkaConsumer

        self.consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap.split(","),
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            session_timeout_ms=10000,
            heartbeat_interval_ms=1000,
        )
        self.values = []
        self.assignment = frozenset()
        self.commit_failures = []
        self.errors = []
        self.halt = threading.Event()
        self.closed = threading.Event()

    # kafka-python 3.0.12 loses its own group assignment when a poll() times
    # out while the group leader's SyncGroup is in flight: its leader marks the
    # metadata as assigned before the response arrives, so the next poll finds
    # nothing to rejoin, never completes the join (no assignment, heartbeats
    # left disabled) and the member goes silent until it leaves. The leader
    # rejoins that way once at start-up (its first assignment is computed
    # before it has the topic's metadata), so the first poll is long enough to
    # cover the whole initial join; later polls stay short so halt is prompt.
    FIRST_POLL_MS = 10000

    def run(self):
        timeout_ms = self.FIRST_POLL_MS
        try:
            while not self.halt.is_set():
                batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=200)
                timeout_ms = 300
                got = False
                for records in batches.values():
                    for r in records:
                        self.values.append(r.value)
                        got = True
                if got:
                    try:
                        self.consumer.commit()
                    except Exception as e:  # CommitFailedError and friends
                        self.commit_failures.append(repr(e))
                self.assignment = frozenset(tp.partition for tp in self.consumer.assignment())
        finally:
            self.consumer.close()
            self.assignment = frozenset()
            self.closed.set()

    def leave(self, timeout=30):
        self.halt.set()
        self.join(timeout)
        assert self.closed.is_set(), "%s did not close within %d s" % (self.name, timeout)


def balanced(members, partitions):
    """True when the members' assignments are disjoint, cover
    range(partitions), and differ in size by at most one."""
    sets = [m.assignment for m in members]
    union = set().union(*sets)
    if union != set(range(partitions)) or sum(len(s) for s in sets) != partitions:
        return False
    sizes = [len(s) for s in sets]
    return max(sizes) - min(sizes) <= 1


class JavaMember:
    """kafka-console-consumer in a group, as its own process (session), its
    stdout collected to a file."""

    def __init__(self, bootstrap, group, topic, protocol, workdir, name):
        self.name = name
        self.out_path = os.path.join(workdir, "%s.out" % name)
        self.err_path = os.path.join(workdir, "%s.err" % name)
        args = [CLUSTER_SH, "bin", "kafka-console-consumer", "--bootstrap-server", bootstrap, "--topic", topic,
                "--group", group, "--consumer-property", "group.protocol=%s" % protocol,
                "--consumer-property", "auto.offset.reset=earliest",
                "--consumer-property", "auto.commit.interval.ms=500"]
        if protocol == "classic":
            args += ["--consumer-property", "session.timeout.ms=10000",
                     "--consumer-property", "heartbeat.interval.ms=1000"]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         start_new_session=True)

    def values(self):
        with open(self.out_path, "rb") as f:
            return [v for v in f.read().split(b"\n") if v]

    def leave(self, timeout=30):
        """SIGTERM: the console consumer closes (commits, leaves the group)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
                raise AssertionError("%s did not exit within %d s of SIGTERM" % (self.name, timeout))
