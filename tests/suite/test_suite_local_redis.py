"""The private Redis the suite starts survives the free-port race: a port picked as free but
taken before redis-server binds it (by anything, even another Redis) is given up for another."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time

import redis

from bot.devtools.local_redis import LocalRedis, find_server_binary, free_port


def _wait_answering(client: redis.Redis, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while True:
        assert process.poll() is None, "the other redis-server exited"
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "the other redis-server never answered"
            time.sleep(0.02)  # poll interval while it starts


def test_a_port_taken_by_a_plain_listener_is_given_up_for_another() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        server = LocalRedis()
        server.port, server.url = taken, f"redis://127.0.0.1:{taken}/0"  # lost the race
        try:
            server.start()
            assert server.port != taken
            client = redis.Redis.from_url(server.url)
            assert client.ping()
            assert client.info("server")["process_id"] == server.process.pid  # type: ignore[union-attr]
        finally:
            server.stop()


def test_a_port_taken_by_someone_elses_redis_is_not_mistaken_for_ours() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        other = subprocess.Popen([find_server_binary(), "--port", str(port), "--bind",
                                  "127.0.0.1", "--save", "", "--dir", workdir],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_answering(redis.Redis(port=port), other)
            server = LocalRedis()
            server.port, server.url = port, f"redis://127.0.0.1:{port}/0"
            try:
                server.start()
                assert server.port != port
                info = redis.Redis.from_url(server.url).info("server")
                assert info["process_id"] == server.process.pid  # type: ignore[union-attr]
            finally:
                server.stop()
            assert other.poll() is None, "the other server must be left alone"
        finally:
            other.terminate()
            other.wait(timeout=10)


def test_a_port_we_were_given_is_not_swapped() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        server = LocalRedis(port=taken)
        try:
            try:
                server.start()
            except RuntimeError as exc:
                assert str(taken) in str(exc)
            else:
                raise AssertionError("started on a port someone else holds")
        finally:
            server.stop()
