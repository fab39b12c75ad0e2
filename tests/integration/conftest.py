"""Session fixtures for kgw's integration tests.

  kafka         a real Apache Kafka 4.4.0 KRaft cluster of 3 nodes on
                127.0.0.1 (tools/kafka-cluster.sh) in a temporary directory,
                stopped at the end. With KGW_TEST_KAFKA_DIR=DIR the cluster in
                DIR is reused if running (or started there and left running),
                for fast iteration.
  mock_cluster  librdkafka 2.0.2's mock cluster (tools/kgw-mock-cluster.c).
  kgw           a factory: kgw(backend) writes a configuration with a
                port_mapping listener on free 127.0.0.1 ports, starts the
                binary (KGW_BIN, default build/gateway/kgw), and at teardown
                stops it with SIGTERM and asserts it exits 0.
                KGW_TEST_DIRECT=1 replaces kgw by a direct connection to the
                backend, to check the scenarios' own logic (leak checks void).
  gw            kgw in front of the `kafka` cluster, started.
  topic         a factory creating a topic directly on the `kafka` cluster.
"""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from kgwtest.cluster import KafkaCluster, MockCluster  # noqa: E402
from kgwtest.clients import ck_create_topic, unique  # noqa: E402
from kgwtest.gateway import Direct, Kgw  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory):
    reuse = os.environ.get("KGW_TEST_KAFKA_DIR")
    if reuse:
        if os.path.exists(os.path.join(reuse, "cluster.env")):
            try:
                cluster = KafkaCluster.attach(reuse)
            except RuntimeError:
                cluster = KafkaCluster.start(reuse)
        else:
            os.makedirs(reuse, exist_ok=True)
            cluster = KafkaCluster.start(reuse, nodes=3)
        cluster.owned = False
    else:
        cluster = KafkaCluster.start(str(tmp_path_factory.mktemp("kafka")), nodes=3)
    yield cluster
    if cluster.owned:
        cluster.stop()
        # Keep the brokers' logs (node-I/server.log), drop the record data.
        for i in range(1, cluster.nodes + 1):
            shutil.rmtree(os.path.join(cluster.dir, "node-%d" % i, "data"), ignore_errors=True)


@pytest.fixture(scope="session")
def mock_cluster():
    cluster = MockCluster(brokers=3)
    yield cluster
    code = cluster.stop()
    assert code == 0, "kgw-mock-cluster exited with %s" % code


@pytest.fixture
def kgw(request, tmp_path):
    started = []

    def factory(backend, **options):
        if os.environ.get("KGW_TEST_DIRECT") == "1":
            gw = Direct(backend)
            started.append(gw)
            return gw
        gw = Kgw(backend, str(tmp_path), name="kgw%d" % len(started), **options)
        started.append(gw)
        return gw.start()

    yield factory

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    problems = []
    for gw in started:
        code = gw.stop()
        codes = gw.exit_codes
        if failed:
            sys.stderr.write(
                "\n--- %s stderr (%s), last lines:\n%s\n" % (gw.name, gw.stderr_path, gw.stderr_tail(60))
            )
        if any(c != 0 for c in codes):
            problems.append(
                "%s exit codes %s on SIGTERM (want 0); stderr tail:\n%s" % (gw.name, codes, gw.stderr_tail())
            )
        del code
    assert not problems, "\n".join(problems)


@pytest.fixture
def gw(kgw, kafka):
    return kgw(kafka)


@pytest.fixture
def topic(kafka):
    def factory(prefix="t", partitions=3, replication=-1, config=None):
        name = unique(prefix)
        ck_create_topic(kafka.bootstrap, name, partitions, replication, config)
        return name

    return factory
