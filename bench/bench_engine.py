"""Engine speed against a bare `transitions` trigger on the same compiled machine, same run.

Figures (median of several repeats, after warm-up, time.perf_counter):
  bare_trigger_us   machine.events[name].trigger(cursor) alone: the floor
  engine_timeout_us engine.step for a timeout that moves ask -> nudge (no text to understand)
  engine_reply_us   engine.step for a reply "no" that moves ask -> barrier (intents + global hook)
  engine_fresh_reply_us  the same, each reply a text not seen before (reply understanding keeps
                    a small per-text cache, so a repeated "no" is cheaper than a new reply)
Ratios are engine / bare; the target is within 3x for the engine's own work (timeout step).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from bot.core.conversation import Conversation, Reply, Start, Timeout
from bot.core.engine import step
from bot.flows.compiler import _Cursor, compile_flow
from bot.flows.loader import default_flows_dir, load_dir

REPEATS = 7
NUMBER = 2000


def _median_us(fn: Callable[[], Any], number: int = NUMBER, repeats: int = REPEATS) -> float:
    for _ in range(number // 4):  # warm-up: caches, lexicons, compiled machine
        fn()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number * 1e6)
    return statistics.median(runs)


def _punctuation(k: int) -> str:
    """A short, distinct tail of punctuation for `k` ("no !?", "no .,!"): the same meaning,
    never the same text, so no per-text cache can answer."""
    marks = ""
    while True:
        k, digit = divmod(k, 4)
        marks += "!?.,"[digit]
        if not k:
            return marks


def main() -> dict[str, float]:
    """Run the benchmark, print a small table and return the figures."""
    flow = load_dir(default_flows_dir()).registry.get("refill_reminder")
    compiled = compile_flow(flow)
    now = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
    conv = Conversation(id="bench", patient_id="p", flow=flow.name, version=flow.version, state="",
                        context={"first_name": "Ana", "due_date": "2026-03-05"})
    waiting, _ = step(flow, conv, Start(), now)
    timeout = Timeout(wait_token=waiting.wait_token or "")
    reply = Reply(text="no")
    event = compiled.machine.events["reply:ask:1"]

    def bare() -> None:
        event.trigger(_Cursor("ask"))

    fresh = iter([Reply(text="no " + _punctuation(k)) for k in range(NUMBER * (REPEATS + 1))])

    figures = {
        "bare_trigger_us": _median_us(bare),
        "engine_timeout_us": _median_us(lambda: step(flow, waiting, timeout, now)),
        "engine_reply_us": _median_us(lambda: step(flow, waiting, reply, now)),
        "engine_fresh_reply_us": _median_us(lambda: step(flow, waiting, next(fresh), now)),
    }
    figures["timeout_ratio"] = figures["engine_timeout_us"] / figures["bare_trigger_us"]
    figures["reply_ratio"] = figures["engine_reply_us"] / figures["bare_trigger_us"]
    figures["fresh_reply_ratio"] = figures["engine_fresh_reply_us"] / figures["bare_trigger_us"]
    figures["engine_steps_per_s"] = 1e6 / figures["engine_timeout_us"]
    print(f"engine vs bare transitions trigger (median of {REPEATS} x {NUMBER})")
    print(f"  bare trigger        {figures['bare_trigger_us']:8.2f} us")
    print(f"  engine timeout step {figures['engine_timeout_us']:8.2f} us  ({figures['timeout_ratio']:.2f}x, target <= 3x)")
    print(f"  engine reply step   {figures['engine_reply_us']:8.2f} us  ({figures['reply_ratio']:.2f}x, includes reply understanding)")
    print(f"  engine fresh reply  {figures['engine_fresh_reply_us']:8.2f} us  ({figures['fresh_reply_ratio']:.2f}x, a text not seen before)")
    print(f"  engine steps/s      {figures['engine_steps_per_s']:8.0f}")
    return figures


if __name__ == "__main__":
    main()
