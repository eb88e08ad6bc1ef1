"""A third runtime: target/dockerhub-org.wasm hosted in Python on the `wasmtime` package (PyPI),
written only from docs/host.md.

Usage: host.py COMPONENT HUB_URL ORGANIZATION TOKEN RETRY_BUDGET ACTION INPUT [ACTION INPUT ...]

Runs each action in turn (a fresh store and instance per call, one cache across them) against
HUB_URL and prints one JSON report: per call its outcome (`ok` with the output, or `error` with the
kind, message and detail), and the host's log (every request sent, every pause asked for, every
cache use). host-test/tests/python_host.rs asserts on it.
"""

import gzip
import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from wasmtime import Engine, Store
from wasmtime.component import Component, Linker, Record, Variant

# docs/host.md, "Loading": the fully qualified names of the imports and of the export.
HTTP_FETCH = "dockerhub:org/http-fetch@0.1.0"
SECRET_GET = "dockerhub:org/secret-get@0.1.0"
CACHE = "dockerhub:org/cache@0.1.0"
ACTIONS = "dockerhub:org/actions@0.1.0"
BODY_CAP = 8 * 1024 * 1024


def record(**fields):
    """A WIT record: a Record with one attribute per field (kebab-case names)."""
    value = Record()
    for name, field in fields.items():
        setattr(value, name.replace("_", "-"), field)
    return value


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """docs/host.md: no redirects (a 3xx is handed to the guest as the response)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Host:
    def __init__(self, component_path, secrets, hub_url):
        self.engine = Engine()
        self.component = Component.from_file(self.engine, component_path)
        self.secrets = secrets
        self.allowed = {origin(hub_url)}
        self.cache = {}
        self.log = []
        self.opener = urllib.request.build_opener(NoRedirects)
        self.linker = Linker(self.engine)
        with self.linker.root() as root:
            with root.add_instance(HTTP_FETCH) as http:
                http.add_func("fetch", lambda store, request: self.fetch(request))
                http.add_func("fetch-batch", lambda store, requests, limit: self.fetch_batch(requests, limit))
                http.add_func("sleep", lambda store, millis: self.sleep(millis))
            with root.add_instance(SECRET_GET) as secret:
                secret.add_func("get", lambda store, key: self.secrets.get(key))
            with root.add_instance(CACHE) as cache:
                cache.add_func("get", lambda store, key: self.cache_get(key))
                cache.add_func("set", lambda store, key, value, ttl: self.cache_set(key, value, ttl))
                cache.add_func("delete", lambda store, key: self.cache_delete(key))

    # http-fetch ---------------------------------------------------------------------------------

    def fetch(self, request):
        # The method is a WIT enum: the lower-case case name; HTTP wants it upper-case.
        method = request.method.upper()
        url = request.url
        self.log.append({"request": f"{method} {url}"})
        if origin(url) not in self.allowed:
            return Variant("host-not-allowed", origin(url))
        headers = {h.name: h.value for h in request.headers}
        body = bytes(request.body) if request.body is not None else None
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            answer = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            answer = error  # every status is a response
        except TimeoutError as error:
            return Variant("timeout", str(error))
        except (urllib.error.URLError, OSError) as error:
            return Variant("connect", str(error))
        data = answer.read(BODY_CAP + 1)
        if len(data) > BODY_CAP:
            return Variant("body-too-large", BODY_CAP)
        if (answer.headers.get("Content-Encoding") or "").lower() == "gzip":
            data = gzip.decompress(data)
        pairs = [record(name=k, value=v) for k, v in answer.headers.items() if k.lower() != "content-encoding"]
        return record(status=answer.status, headers=pairs, body=data)

    def fetch_batch(self, requests, limit):
        # One outcome per request, in request order.
        self.log.append({"batch": len(requests), "max_concurrency": limit})
        with ThreadPoolExecutor(max_workers=max(1, min(limit, 16, len(requests)))) as pool:
            return list(pool.map(self.fetch, requests))

    def sleep(self, millis):
        # The host may shorten a pause: this one waits at most 50 ms and logs what was asked.
        self.log.append({"sleep": millis})
        time.sleep(min(millis, 50) / 1000)

    # cache --------------------------------------------------------------------------------------

    def cache_get(self, key):
        value, expires = self.cache.get(key, (None, 0))
        hit = value is not None and expires > time.monotonic()
        self.log.append({"cache": "hit" if hit else "miss"})
        return value if hit else None

    def cache_set(self, key, value, ttl):
        self.log.append({"cache": "set", "ttl": ttl})
        if ttl > 0:
            self.cache[key] = (bytes(value), time.monotonic() + ttl)

    def cache_delete(self, key):
        self.log.append({"cache": "delete"})
        self.cache.pop(key, None)

    # actions ------------------------------------------------------------------------------------

    def call(self, action, text):
        store = Store(self.engine)
        instance = self.linker.instantiate(store, self.component)
        actions = instance.get_export_index(store, ACTIONS)
        func = instance.get_func(store, instance.get_export_index(store, action, actions))
        outcome = func(store, text)
        func.post_return(store)
        if isinstance(outcome, str):
            return {"ok": json.loads(outcome)}
        info = outcome.payload
        detail = getattr(info, "detail", None)
        return {
            "error": outcome.tag,
            "message": info.message,
            "detail": json.loads(detail) if detail else None,
            "retry_after": getattr(info, "retry-after", None),
        }


def origin(url):
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname}:{port}"


def main():
    component, hub_url, org, token, budget, *pairs = sys.argv[1:]
    secrets = {
        "organization-name": org,
        "organization-access-token": token,
        "hub-url": hub_url,
        "retry-budget-seconds": budget,
    }
    host = Host(component, secrets, hub_url)
    calls = []
    for action, text in zip(pairs[0::2], pairs[1::2]):
        start = len(host.log)
        outcome = host.call(action, text)
        outcome["action"] = action
        outcome["log"] = host.log[start:]
        calls.append(outcome)
    print(json.dumps({"calls": calls}))


if __name__ == "__main__":
    main()
