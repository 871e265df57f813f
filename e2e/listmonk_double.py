#!/usr/bin/env python3
"""A small listmonk double for whole-process tests: POST /webhooks/bounce with listmonk's auth,
validation order and answers (see the reference on listmonk's bounce API), recording every accepted
bounce as one JSON line. Loopback only.

usage: listmonk_double.py PORT RECORD_FILE [--user U --token T] [--delay SECONDS]
"""
import argparse
import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
EMAIL = re.compile(r"^[^@\s<>()\"]+@[^@\s<>()\"]+$")
lock = threading.Lock()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("record")
    ap.add_argument("--user", default="bouncetail")
    ap.add_argument("--token", default="secret-token")
    ap.add_argument("--delay", type=float, default=0.0)
    args = ap.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def answer(self, status, obj):
            body = (json.dumps(obj) + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            if self.path.split("?")[0] != "/webhooks/bounce":
                page = b"<html><body>404 - Not found</body></html>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                return
            auth = (self.headers.get("Authorization") or "").strip()
            if not auth:
                return self.answer(403, {"message": "invalid session"})
            if auth.startswith("token"):
                pair = auth[5:].strip()
            elif auth.startswith("Basic"):
                try:
                    pair = base64.b64decode(auth[5:].strip(), validate=True).decode()
                except Exception:
                    return self.answer(403, {"message": "code=400, message=invalid Base64 value in Basic Authorization header"})
            else:
                return self.answer(403, {"message": "code=400, message=unknown Authorization scheme"})
            if ":" not in pair:
                return self.answer(403, {"message": "code=400, message=api_key:token missing"})
            user, token = pair.split(":", 1)
            if (user, token) != (args.user, args.token):
                return self.answer(403, {"message": "invalid API credentials"})
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                b = json.loads(raw)
                if not isinstance(b, dict):
                    raise ValueError("cannot unmarshal into Go value of type models.Bounce")
            except Exception as e:
                return self.answer(400, {"message": f"Invalid data:{e}"})
            email = (b.get("email") or "").strip().lower()
            sub = b.get("subscriber_uuid") or ""
            if not email and not sub:
                return self.answer(400, {"message": "Invalid fields: email / subscriber_uuid"})
            if sub and not UUID.match(sub):
                return self.answer(400, {"message": "Invalid fields: subscriber_uuid"})
            if email and not EMAIL.match(email):
                return self.answer(400, {"message": "Invalid email."})
            if b.get("type") not in ("hard", "soft", "complaint"):
                return self.answer(400, {"message": "Invalid fields: type"})
            if args.delay:
                time.sleep(args.delay)
            with lock, open(args.record, "a") as f:
                f.write(json.dumps(b) + "\n")
            self.answer(200, {"data": True})

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            # A client killed mid-request (the test's SIGKILL) breaks the pipe: expected, not an error.
            pass

    Server(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
