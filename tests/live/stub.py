#!/usr/bin/env python3
"""A loopback stub for the AWS APIs moto does not implement: Data Exports (ListExports,
GetExport) and legacy CUR (DescribeReportDefinitions), answering in AWS's JSON 1.1 wire format
from a state file the test writes. Written for this project's tests.

    stub.py PORT STATE_FILE
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT, STATE = int(sys.argv[1]), sys.argv[2]


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
        request = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        state = json.load(open(STATE))
        op = target.split(".")[-1]
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


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
