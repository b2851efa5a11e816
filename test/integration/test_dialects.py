"""SPEC §8: the JSON dialects -- detection, BatchDialect, and each dialect
end to end against the real fixtures."""


from support import (assert_refused, media_type, post_batch, reconfigured,
                     token)

def record_url(tok):
    return "/cgi/record.cgi?t=" + tok


def post_doc(server, doc, path="/batch"):
    return post_batch(server, doc=doc, path=path)


def ok_doc(server, doc, path="/batch"):
    res = post_doc(server, doc, path)
    assert res.status == 200, res
    assert media_type(res.headers.get("Content-Type")) == "application/json"
    return res.json


def rails(*ops, **extra):
    doc = {"ops": list(ops), "sequential": True}
    doc.update(extra)
    return doc


# -- detection and BatchDialect ---------------------------------------------

def test_graph_document_still_answers_graph(server):
    body = ok_doc(server, {"requests": [{"id": "a",
                                          "url": "/static/hello.json"}]})
    assert body["responses"][0]["body"] == {"hello": "world"}


def test_facebook_shape_is_refused_as_not_implemented(server):
    tok = token()
    res = post_doc(server, {"batch": [{"method": "GET",
                                       "relative_url": record_url(tok)}]})
    err = assert_refused(res, 400, "invalid_request", server=server, tok=tok)
    assert "facebook" in err["message"] and "not implemented" in \
        err["message"], err


def test_forced_graph_refuses_rails(server):
    tok = token()
    with reconfigured(server, batch_extra=["BatchDialect graph"]):
        res = post_doc(server, rails({"url": record_url(tok)}))
        err = assert_refused(res, 400, "invalid_request", server=server,
                             tok=tok)
    assert "BatchDialect graph" in err["message"], err


def configtest_output(server, line):
    res = server.configtest(batch_extra=[line], name="dialect.conf")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    return out


def test_batch_dialect_facebook_fails_configtest(server):
    out = configtest_output(server, "BatchDialect facebook")
    assert "facebook dialect is not implemented yet" in out, out


def test_batch_dialect_unknown_fails_configtest(server):
    out = configtest_output(server, "BatchDialect soap")
    assert "'soap' is not a batch dialect" in out, out
