#!/usr/bin/python3
"""Tiny Icinga 2 REST API client for the engine tests (stdlib only; run inside the lab).

  icinga_api.py URL USER PASSWORD wait-up TIMEOUT
      polls /v1/status/IcingaApplication until it answers; prints the seconds it took.
  icinga_api.py URL USER PASSWORD force HOST TIMEOUT [SERVICE...]
      forces a check of the host's services (all, or the ones named) with
      /v1/actions/reschedule-check (force=true), waits until each has a result newer than the
      request, and prints one JSON object per line:
      {"service","state","exit_status","output","performance_data","reachable","check_source","seconds"}.
  icinga_api.py URL USER PASSWORD results HOST TIMEOUT SINCE [SERVICE...]
      the same lines without forcing: waits for results newer than SINCE (epoch seconds),
      e.g. on a master for checks a satellite ran.
Exit 0 on success, 1 on timeout or an API error (the reason on stdout).
"""
import base64
import json
import ssl
import sys
import time
import urllib.error
import urllib.request


def call(base, auth, method, path, body=None, override=None):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False          # the test's throwaway self-signed API certificate
    ctx.verify_mode = ssl.CERT_NONE
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    req.add_header("Authorization", "Basic " + auth)
    if method != "GET":
        req.add_header("Content-Type", "application/json")
    if override:
        req.add_header("X-HTTP-Method-Override", override)
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.loads(r.read().decode())


def wait_up(base, auth, timeout):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            call(base, auth, "GET", "/v1/status/IcingaApplication")
            print("%.2f" % (time.time() - t0))
            return 0
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    print("API did not answer within %ss" % timeout)
    return 1


def force(base, auth, host, timeout, names, since=None):
    flt = "host.name==h"
    fv = {"h": host}
    if names:
        flt += " && service.name in names"
        fv["names"] = names
    t_req = time.time()
    if since is None:
        r = call(base, auth, "POST", "/v1/actions/reschedule-check",
                 {"type": "Service", "filter": flt, "filter_vars": fv, "force": True})
        wanted = len(r.get("results", []))
        if wanted == 0 or (names and wanted != len(names)):
            print("reschedule-check matched %d services: %s" % (wanted, json.dumps(r)))
            return 1
    else:   # results: no request, wait for results newer than SINCE (another node checked)
        t_req = since
        wanted = len(call(base, auth, "POST", "/v1/objects/services",
                          {"filter": flt, "filter_vars": fv, "attrs": ["name"]}, override="GET")["results"])
    done = {}
    t_start = time.time()
    while time.time() - t_start < timeout:
        q = call(base, auth, "POST", "/v1/objects/services",
                 {"filter": flt, "filter_vars": fv,
                  "attrs": ["name", "last_check_result", "last_reachable"]}, override="GET")
        for o in q["results"]:
            cr = o["attrs"].get("last_check_result")
            if cr and cr.get("execution_end", 0) >= t_req and o["attrs"]["name"] not in done:
                done[o["attrs"]["name"]] = {
                    "service": o["attrs"]["name"], "state": int(cr["state"]),
                    "exit_status": cr.get("exit_status"), "output": cr.get("output", ""),
                    "performance_data": cr.get("performance_data") or [],
                    "reachable": o["attrs"].get("last_reachable"),
                    "check_source": cr.get("check_source"),
                    "seconds": round(cr["execution_end"] - t_req, 2)}
        if len(done) == wanted:
            for k in sorted(done):
                print(json.dumps(done[k], ensure_ascii=False))
            return 0
        time.sleep(0.1)
    print("only %d of %d services got a new result within %ss" % (len(done), wanted, timeout))
    return 1


def main(argv):
    base, user, pw, cmd = argv[1], argv[2], argv[3], argv[4]
    auth = base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
    try:
        if cmd == "wait-up":
            return wait_up(base, auth, float(argv[5]))
        if cmd == "force":
            return force(base, auth, argv[5], float(argv[6]), argv[7:])
        if cmd == "results":
            return force(base, auth, argv[5], float(argv[6]), argv[8:], float(argv[7]))
    except urllib.error.HTTPError as e:
        print("API error: %s: %s" % (e, e.read().decode(errors="replace")[:500]))
        return 1
    except (urllib.error.URLError, OSError, KeyError, ValueError) as e:
        print("API error: %s" % e)
        return 1
    print("unknown command " + cmd)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
