"""Scenario 8: malformed frames, oversize frames and garbage on a kgw port
close only that connection, with the reason logged on kgw's stderr, while
other clients on the same port keep working. Also librdkafka's mock cluster
as kgw's backend, for produce/consume with older protocol versions (kcat with
api.version.request and broker.version.fallback variations)."""

import re
import socket

import pytest

from kgwtest import clients, scenarios
from kgwtest.util import wait_for
from kgwtest.wire import BAD_FRAMES, api_versions, closed_by_peer

REASON = re.compile(r"frame|size|malformed|invalid|too (large|big|short)|oversize|exceed|garbage|decode|parse|"
                    r"truncat|protocol", re.I)


@pytest.mark.parametrize("case", sorted(BAD_FRAMES))
def test_bad_frame_closes_only_that_connection(kafka, gw, topic, case):
    name = topic("badframe", partitions=1)
    good = socket.create_connection(("127.0.0.1", gw.bootstrap_port), timeout=10)
    errors = clients.ck_produce(gw.bootstrap, name, [b"before"])
    assert not errors, errors
    try:
        error, apis = api_versions(good, 1)
        assert error == 0 and 0 in apis and 3 in apis, (error, apis)

        offset = gw.stderr_size()
        bad = socket.create_connection(("127.0.0.1", gw.bootstrap_port), timeout=10)
        bad_port = bad.getsockname()[1]
        try:
            try:
                bad.sendall(BAD_FRAMES[case])
            except (BrokenPipeError, ConnectionResetError):
                pass
            assert closed_by_peer(bad, 15), "kgw kept the connection open after %s" % case
        finally:
            bad.close()

        # The other connection and other clients are unaffected.
        error, apis = api_versions(good, 2)
        assert error == 0 and 18 in apis
        errors = clients.ck_produce(gw.bootstrap, name, [b"after"])
        assert not errors, errors
        assert sorted(clients.ck_consume(gw.bootstrap, name, 2)) == [b"after", b"before"]
    finally:
        good.close()

    if gw.name == "direct":
        return
    # kgw says why, naming the connection (its peer port).
    def logged():
        text = gw.stderr_since(offset)
        lines = [l for l in text.splitlines() if str(bad_port) in l]
        return lines if any(REASON.search(l) for l in lines) else None

    try:
        wait_for(logged, 5, what="a log line naming port %d with a reason" % bad_port)
    except AssertionError:
        raise AssertionError("kgw's stderr has no line naming the closed connection (peer port %d) with a reason "
                             "matching %s; new stderr:\n%s" % (bad_port, REASON.pattern,
                                                              gw.stderr_since(offset)[-3000:]))
    assert gw.running(), "kgw exited after %s" % case


def test_many_bad_connections_then_real_traffic(kafka, gw, topic):
    """A burst of 200 garbage connections leaves kgw serving normally."""
    name = topic("burst", partitions=1)
    for i in range(200):
        s = socket.create_connection(("127.0.0.1", gw.bootstrap_port), timeout=10)
        try:
            s.sendall(BAD_FRAMES["http-garbage"] if i % 2 else BAD_FRAMES["negative-size"])
        except OSError:
            pass
        s.close()
    values = [b"v%d" % i for i in range(1000)]
    assert not clients.ck_produce(gw.bootstrap, name, values)
    assert sorted(clients.ck_consume(gw.bootstrap, name, 1000)) == sorted(values)
    assert gw.running()


# ---- librdkafka 2.0.2's mock cluster behind kgw (older protocol versions)


@pytest.fixture
def mock_gw(kgw, mock_cluster):
    return kgw(mock_cluster)


def test_mock_backend_metadata(mock_cluster, mock_gw):
    md, text = clients.kcat_metadata(mock_gw.bootstrap)
    assert {b["id"]: b["name"] for b in md["brokers"]} == {
        i: "127.0.0.1:%d" % mock_gw.broker_port(i) for i in range(1, mock_cluster.nodes + 1)}
    from kgwtest.util import assert_no_backend_address

    assert_no_backend_address(text, mock_gw.hidden_ports, "kcat -L via kgw + mock cluster")


@pytest.mark.parametrize("variant,codec", scenarios.MOCK_CASES)
def test_mock_backend_kcat(mock_cluster, mock_gw, variant, codec):
    scenarios.mock_roundtrip(mock_gw.bootstrap, variant, codec, hidden_ports=mock_gw.hidden_ports)


@pytest.mark.parametrize("codec", clients.CODECS)
def test_mock_backend_confluent(mock_cluster, mock_gw, codec):
    """The newest librdkafka against the mock's old versions, through kgw."""
    from kgwtest.data import assert_same_records, make_values

    name = clients.unique("mock-ck-%s" % codec)
    values = make_values(name, 5000)
    assert not clients.ck_produce(mock_gw.bootstrap, name, values, codec, conf={"acks": "all"})
    assert_same_records(name, values, clients.ck_consume(mock_gw.bootstrap, name, len(values)),
                        "confluent %s via kgw + mock" % codec)
