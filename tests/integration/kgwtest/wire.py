"""Raw Kafka wire frames for the tests that must control every byte:
ApiVersions v0 requests and responses, and deliberately broken frames."""

import socket
import struct
import time


def api_versions_request(correlation_id, client_id=b"kgw-test"):
    """ApiVersions (key 18) v0 with request header v1."""
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    return struct.pack(">i", len(body)) + body


def recv_exact(sock, n, deadline):
    buf = b""
    while len(buf) < n:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def read_frame(sock, timeout=10):
    """Reads one size-prefixed frame; returns its payload."""
    deadline = time.monotonic() + timeout
    (size,) = struct.unpack(">i", recv_exact(sock, 4, deadline))
    return recv_exact(sock, size, deadline)


def api_versions(sock, correlation_id, timeout=10):
    """Sends ApiVersions v0 on `sock` and returns (error_code, {api_key:
    (min, max)}) from the response, checking its correlation id."""
    sock.sendall(api_versions_request(correlation_id))
    payload = read_frame(sock, timeout)
    corr, error, count = struct.unpack(">ihi", payload[:10])
    assert corr == correlation_id, "ApiVersions response correlation id %d, want %d" % (corr, correlation_id)
    apis = {}
    for i in range(count):
        key, lo, hi = struct.unpack(">hhh", payload[10 + 6 * i : 16 + 6 * i])
        apis[key] = (lo, hi)
    return error, apis


def closed_by_peer(sock, timeout=10):
    """True when the peer closes (EOF or reset) within `timeout` seconds;
    data it sends first is discarded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            if not sock.recv(65536):
                return True
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


# Frames that no Kafka server may accept; kgw must close the connection.
BAD_FRAMES = {
    # An HTTP request: its first 4 bytes read as a 1.2 GB frame size.
    "http-garbage": b"GET / HTTP/1.1\r\nHost: kgw\r\n\r\n",
    # Random-looking binary noise with a huge size prefix.
    "binary-garbage": bytes((i * 167 + 13) % 256 for i in range(512)),
    # A declared size far beyond any maximum frame size.
    "oversize": struct.pack(">i", 0x7FFF0000) + b"\0" * 64,
    # A frame just above 100 MB (Kafka's socket.request.max.bytes).
    "oversize-100mb": struct.pack(">i", 100 * 1024 * 1024 + 1) + b"\0" * 64,
    # A negative size.
    "negative-size": struct.pack(">i", -7) + b"\0" * 16,
    # A frame too short to hold a request header (api key, version, correlation id).
    "short-header": struct.pack(">i", 3) + b"\0\x12\0",
    # ApiVersions v0 whose client_id claims 1000 bytes but the frame ends.
    "client-id-overrun": struct.pack(">i", 10) + struct.pack(">hhih", 18, 0, 7, 1000),
}
