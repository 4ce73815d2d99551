"""SMTP catcher: accepts every message on :1025, lists them as JSON on :8025."""
import json
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

messages = []
lock = threading.Lock()


class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content)
        with lock:
            messages.append({"From": envelope.mail_from, "To": envelope.rcpt_tos, "Subject": str(msg.get("Subject", ""))})
        print(f"caught mail from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        with lock:
            body = json.dumps({"total": len(messages), "messages": messages}).encode()
        self.send_response(200 if self.path.startswith("/api/v1/messages") or self.path == "/" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


controller = Controller(Handler(), hostname="0.0.0.0", port=1025)
controller.start()
print("SMTP on :1025, API on :8025", flush=True)
ThreadingHTTPServer(("0.0.0.0", 8025), Api).serve_forever()
