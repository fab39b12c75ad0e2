"""Small shared helpers: repository paths, free loopback ports, bounded waits,
and the check that no backend address leaks into client-visible text."""

import os
import random
import re
import socket
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "kgw")


def port_free(port):
    """True when nothing listens on 127.0.0.1:port and it can be bound."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port_range(count, low=20000, high=32700, avoid=()):
    """Returns the first port of `count` consecutive free loopback ports,
    chosen at random in [low, high) so parallel runs rarely collide. The
    default range stays below Linux's ephemeral ports (32768-60999), which
    outgoing connections could take between this check and the bind."""
    rng = random.Random(os.getpid() ^ int(time.time() * 1000))
    for _ in range(200):
        base = rng.randrange(low, high - count)
        ports = range(base, base + count)
        if any(p in avoid for p in ports):
            continue
        if all(port_free(p) for p in ports):
            return base
    raise RuntimeError("no %d consecutive free ports found in %d..%d" % (count, low, high))


def port_open(port, host="127.0.0.1", timeout=0.5):
    """True when host:port accepts a TCP connection."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(predicate, timeout, interval=0.2, what="condition"):
    """Polls predicate() until it returns a true value (which is returned) or
    `timeout` seconds pass (AssertionError naming `what`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def backend_leaks(text, ports):
    """Returns the backend ports (ints) that appear in `text` as a port
    number (not part of a longer number)."""
    found = []
    for port in ports:
        if re.search(r"(?<![\d.])%d(?!\d)" % port, text):
            found.append(port)
    return found


def assert_no_backend_address(text, ports, where):
    """Fails naming the leaked backend port(s) and the surrounding text."""
    leaks = backend_leaks(text, ports)
    if leaks:
        m = re.search(r"(?<![\d.])%d(?!\d)" % leaks[0], text)
        start = max(0, m.start() - 200)
        raise AssertionError(
            "backend port(s) %s visible to the client in %s: ...%s..."
            % (leaks, where, text[start : m.end() + 200])
        )
