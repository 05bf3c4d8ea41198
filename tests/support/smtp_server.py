#!/usr/bin/python3
"""A real SMTP server for the alert tests, on aiosmtpd (Debian's
python3-aiosmtpd): each message is stored as it was received, so the tests
read real deliveries rather than our own recorder's idea of them.

usage: smtp_server.py OUTDIR [--host H] [--starttls CERT KEY] [--tls CERT KEY]
                             [--auth USER PASS]

Prints "PORT n" once listening (port chosen by the kernel). Each message is
OUTDIR/NNN.eml (the DATA bytes, line ends as received) with OUTDIR/NNN.json
beside it (mail_from, rcpt_tos, login, tls); both appear atomically.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--auth", nargs=2, metavar=("USER", "PASS"))
    a = ap.parse_args()

    def context(pair):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(pair[0], pair[1])
        return ctx

    counter = [0]

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            counter[0] += 1
            base = os.path.join(a.outdir, "%03d" % counter[0])
            login = getattr(session, "alert_login", None)
            meta = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "login": login.decode() if isinstance(login, bytes) else None,
                # An implicit-TLS listener accepts nothing else.
                "tls": session.ssl is not None or bool(a.tls),
            }
            for ext, data in ((".eml", envelope.original_content),
                              (".json", json.dumps(meta).encode())):
                with open(base + ext + ".tmp", "wb") as f:
                    f.write(data)
                os.rename(base + ext + ".tmp", base + ext)
            return "250 Message accepted for delivery"

    def authenticator(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and a.auth is not None
              and data.login.decode() == a.auth[0]
              and data.password.decode() == a.auth[1])
        if ok:
            session.alert_login = data.login
        return AuthResult(success=ok)

    kwargs = {}
    if a.starttls:
        kwargs.update(tls_context=context(a.starttls), require_starttls=True)
    if a.auth:
        kwargs.update(auth_required=True, authenticator=authenticator,
                      # With implicit TLS aiosmtpd does not know the link is
                      # encrypted; only STARTTLS needs its check.
                      auth_require_tls=bool(a.starttls))

    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), hostname="smtp.test", **kwargs),
            a.host, 0, ssl=context(a.tls) if a.tls else None)
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
