"""A fault-injecting TCP proxy on 127.0.0.1 for the sync tests: drops connections mid-request
and mid-response, delays, throttles to a bandwidth and cuts the link for seconds at a time.
Faults are drawn from a seeded random generator, so a run is repeatable in kind."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass

CHUNK = 4096


@dataclass
class Faults:
    bytes_per_second: float = 32_000  # 256 kbit/s
    delay: float = 0.02  # per chunk, each way
    drop_request: float = 0.05  # chance a connection is cut while the request is forwarded
    drop_response: float = 0.05  # ... while the response is forwarded
    seed: int = 7


class ChaosProxy:
    def __init__(self, target_port: int, listen_port: int, faults: Faults) -> None:
        self.target_port, self.listen_port, self.faults = target_port, listen_port, faults
        self.random = random.Random(faults.seed)
        self.cut_until = 0.0
        self.bytes = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        self._thread.join(10)

    def cut(self, seconds: float) -> None:
        """The link is down: new and open connections fail for `seconds`."""
        self.cut_until = time.monotonic() + seconds

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.listen_port))
        self._ready.set()
        self._loop.run_forever()
        server.close()

    def _down(self) -> bool:
        return time.monotonic() < self.cut_until

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._down():
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1",
                                                                             self.target_port)
        except OSError:
            writer.close()
            return
        drop_request = self.random.random() < self.faults.drop_request
        drop_response = self.random.random() < self.faults.drop_response
        await asyncio.gather(self._pipe(reader, upstream_writer, drop_request),
                             self._pipe(upstream_reader, writer, drop_response),
                             return_exceptions=True)
        for stream in (writer, upstream_writer):
            stream.close()

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                    drop: bool) -> None:
        sent = 0
        try:
            while True:
                chunk = await source.read(CHUNK)
                if not chunk or self._down():
                    break
                if drop:  # forward part of the message, then cut the connection
                    chunk = chunk[: self.random.randint(0, max(0, len(chunk) - 1))]
                await asyncio.sleep(self.faults.delay + len(chunk) / self.faults.bytes_per_second)
                sink.write(chunk)
                await sink.drain()
                sent += len(chunk)
                self.bytes += len(chunk)
                if drop:
                    break
        finally:
            sink.close()
