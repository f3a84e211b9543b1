"""The cluster's mail server: an SMTP sink that keeps every accepted message as a file (`make cluster`).

The tracker sends through its ordinary SMTP settings (EMAIL_HOST, EMAIL_PORT); each message the sink accepts
is written to ``<folder>/<n>.eml`` (written aside, then renamed: a file there is a whole message). Nothing
is relayed anywhere. ``--greet-delay`` makes it a slow server — it waits that long before its greeting, as
servers that pause new connections do — so that `make cluster-faults` can stop a worker in the middle of a
send.

    python bench/cluster_mail.py --port 8025 --folder .cluster/mail [--greet-delay 1.5]
"""

import argparse
import asyncio
import itertools
import os
from pathlib import Path


class Sink:
    def __init__(self, folder: Path, greet_delay: float):
        self.folder, self.greet_delay = folder, greet_delay
        self.numbers = itertools.count(len(list(folder.glob("*.eml"))) + 1)

    def keep(self, message: bytes) -> None:
        number = next(self.numbers)
        part = self.folder / f".{number}.part"
        part.write_bytes(message)
        os.replace(part, self.folder / f"{number:06d}.eml")

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        try:
            await asyncio.sleep(self.greet_delay)
            await say("220 tracker-cluster-mail ESMTP sink")
            recipients = []
            while line := await reader.readline():
                command = line.decode("ascii", "replace").strip()
                verb = command.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    await say("250-tracker-cluster-mail")
                    await say("250 8BITMIME")
                elif verb == "HELO":
                    await say("250 tracker-cluster-mail")
                elif verb in {"MAIL", "RSET"}:
                    recipients = []
                    await say("250 OK")
                elif verb == "RCPT":
                    recipients.append(command)
                    await say("250 OK")
                elif verb == "DATA":
                    if not recipients:
                        await say("503 RCPT first")
                        continue
                    await say("354 End with <CR><LF>.<CR><LF>")
                    lines = []
                    while (data := await reader.readline()) not in (b".\r\n", b".\n", b""):
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    if data == b"":
                        return  # the client went away in the middle: nothing accepted
                    self.keep(b"".join(lines))
                    await say("250 OK: kept")
                elif verb == "NOOP":
                    await say("250 OK")
                elif verb == "QUIT":
                    await say("221 Bye")
                    return
                else:
                    await say("502 Not implemented")
        except ConnectionError:
            return
        finally:
            writer.close()


async def serve(port: int, folder: Path, greet_delay: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sink = Sink(folder, greet_delay)
    server = await asyncio.start_server(sink.session, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--greet-delay", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.folder, args.greet_delay))


if __name__ == "__main__":
    main()
