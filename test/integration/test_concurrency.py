"""SPEC §6: BatchConcurrency N. Operations whose dependencies are done run
in parallel, at most N at once, each on its own secondary connection in a
worker thread; the aggregate is still written in request order."""

import pytest


# --------------------------------------------------------------------------
# Configuration: threaded MPMs only

def _message(res):
    return res.stdout + res.stderr


def test_prefork_refuses_parallel_operations(php_server):
    res = php_server.configtest(batch_extra=["BatchConcurrency 4"],
                                name="prefork-parallel.conf")
    out = _message(res)
    assert res.returncode != 0, "prefork accepted BatchConcurrency 4:\n" + out
    assert "BatchConcurrency 4" in out, out
    assert "threaded MPM" in out and "prefork" in out, out


def test_prefork_refuses_parallel_operations_in_a_virtual_host(php_server):
    res = php_server.configtest(server_extra=[
        "<VirtualHost 127.0.0.1:%d>" % php_server.port,
        "    ServerName other.example",
        '    <Location "/vh-batch">',
        "        SetHandler batch",
        "        BatchConcurrency 2",
        "    </Location>",
        "</VirtualHost>"], name="prefork-vhost.conf")
    assert res.returncode != 0, _message(res)
    assert "BatchConcurrency 2" in _message(res), _message(res)


def test_prefork_accepts_sequential_operations(php_server):
    res = php_server.configtest(batch_extra=["BatchConcurrency 1"],
                                name="prefork-sequential.conf")
    assert res.returncode == 0, _message(res)


@pytest.mark.parametrize("value", ["2", "64"])
def test_threaded_mpm_accepts_parallel_operations(server, value):
    res = server.configtest(server_extra=["BatchConcurrency " + value],
                            name="event-parallel.conf")
    assert res.returncode == 0, _message(res)
