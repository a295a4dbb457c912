"""A real SMTP server for the email handler's tests (aiosmtpd).

Usage: smtpd.py PORT [CERT KEY USER PASSWORD]

Listens on 127.0.0.1:PORT; with a certificate it offers STARTTLS, requires it, and
requires AUTH as USER/PASSWORD. Prints "ready" once listening, then one JSON line per
message received: the envelope sender, the recipients, the authenticated user and the
raw message. Runs until stdin closes.
"""

import json
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Recorder:
    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data
        login = auth.decode() if isinstance(auth, bytes) else auth
        print(json.dumps({
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login,
            "data": envelope.content.decode("utf-8", "replace"),
        }), flush=True)
        return "250 OK"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, auth_data=auth_data.login if ok else None)
    return check


def main():
    port = int(sys.argv[1])
    options = {}
    if len(sys.argv) > 2:
        cert, key, user, password = sys.argv[2:6]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        options = dict(
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            auth_required=True,
            authenticator=authenticator(user, password),
        )
    controller = Controller(Recorder(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


main()
