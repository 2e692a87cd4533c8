#!/usr/bin/env python3
"""A local SMTP sink for development and tests on machines without Docker (where Mailpit
would run). Accepts every message and writes it, as received, to SMTP_SINK_DIR as
<time>-<n>.eml, so tests can read delivered mail back. Started by deploy/services.sh."""
import asyncio
import itertools
import os
import sys
import time

from aiosmtpd.controller import Controller

SINK_DIR = os.environ.get("SMTP_SINK_DIR", "/tmp/tisseco-smtp/messages")
counter = itertools.count()


class WriteToDirectory:
    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{next(counter)}.eml"
        temporary = os.path.join(SINK_DIR, "." + name)
        with open(temporary, "wb") as out:
            out.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(envelope.original_content or envelope.content)
        os.rename(temporary, os.path.join(SINK_DIR, name))  # readers never see half a file
        return "250 Message accepted for delivery"


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.makedirs(SINK_DIR, exist_ok=True)
    controller = Controller(WriteToDirectory(), hostname=host, port=port)
    controller.start()
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
