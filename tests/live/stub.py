#!/usr/bin/env python3
"""A loopback stub for the AWS APIs moto does not implement: Data Exports (ListExports,
GetExport) and legacy CUR (DescribeReportDefinitions) in AWS's JSON 1.1 wire format, and IAM's
SimulatePrincipalPolicy in its query/XML format; every other IAM request is forwarded to moto.
Answers come from a state file the test writes. Written for this project's tests.

Faults for the robustness tests, per operation, in the state's "faults":
{"ListExports": {"throttle": 2}} answers ThrottlingException twice, then normally;
{"GetExport": {"sleep": 5}} answers after 5 seconds; {"DescribeReportDefinitions": {"malformed": true}}
answers with a body that is not JSON.

    stub.py PORT STATE_FILE MOTO_ENDPOINT
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

PORT, STATE, MOTO = int(sys.argv[1]), sys.argv[2], sys.argv[3]
CALLS = {}
LOCK = threading.Lock()


def simulate(form, state):
    actions = [v for k, v in form.items() if k.startswith("ActionNames.member.")]
    resources = [v for k, v in form.items() if k.startswith("ResourceArns.member.")] or ["*"]
    decisions = state.get("simulation", {})
    members = []
    for a in actions:
        for r in resources:
            members.append(
                "<member><EvalActionName>%s</EvalActionName><EvalResourceName>%s</EvalResourceName>"
                "<EvalDecision>%s</EvalDecision><MatchedStatements/><MissingContextValues/></member>"
                % (escape(a), escape(r), decisions.get(a, "allowed"))
            )
    return (
        '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>%s</EvaluationResults>"
        "</SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata>"
        "</SimulatePrincipalPolicyResponse>" % "".join(members)
    )


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        state = json.load(open(STATE))
        if not target:
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            if form.get("Action") == "SimulatePrincipalPolicy":
                data = simulate(form, state).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            # everything else goes to moto
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            req = urllib.request.Request(MOTO + self.path, data=raw, headers=headers, method="POST")
            try:
                resp = urllib.request.urlopen(req)
                status, body, ctype = resp.status, resp.read(), resp.headers.get("Content-Type", "text/xml")
            except urllib.error.HTTPError as e:
                status, body, ctype = e.code, e.read(), e.headers.get("Content-Type", "text/xml")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        request = json.loads(raw or b"{}")
        op = target.split(".")[-1]
        fault = state.get("faults", {}).get(op, {})
        with LOCK:
            CALLS[op] = CALLS.get(op, 0) + 1
            n = CALLS[op]
        if n <= fault.get("throttle", 0):
            return self.reply(400, {"__type": "ThrottlingException", "Message": "Rate exceeded"})
        if fault.get("sleep"):
            time.sleep(fault["sleep"])
        if fault.get("malformed"):
            data = b"{this is not json"
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if op == "ListExports":
            return self.reply(200, {"Exports": [{"ExportArn": e["Export"]["ExportArn"], "ExportName": e["Export"]["Name"], "ExportStatus": e.get("ExportStatus", {})} for e in state.get("exports", [])]})
        if op == "GetExport":
            for e in state.get("exports", []):
                if e["Export"]["ExportArn"] == request.get("ExportArn"):
                    return self.reply(200, e)
            return self.reply(400, {"__type": "ResourceNotFoundException", "Message": "no such export"})
        if op == "DescribeReportDefinitions":
            return self.reply(200, {"ReportDefinitions": state.get("reports", [])})
        return self.reply(400, {"__type": "UnknownOperationException", "Message": op})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
