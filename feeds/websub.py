"""WebSub (W3C Recommendation) publisher side: tell the hub which feeds changed.

After a run that changed feeds, each changed subscription document's self URL is queued in the
store; delivery is a form-encoded POST `hub.mode=publish`, `hub.url=<topic>` per URL, with a
bounded timeout. A hub that is down or slow never blocks or fails publishing: the first failure
ends the round, the failed ping is retried in a later run with exponential backoff, and a ping that
keeps failing is given up after `websub.max_attempts` with an error in the log. Pings go eight at a
time, and a round starts none after 30 s (or a stop request); what it had no time for stays due.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from feeds.layout import is_subscription_document
from feeds.settings import WebSubSettings
from feeds.store import Store, StoreError

log = logging.getLogger("feeds.websub")
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
PARALLEL = 8  # pings under way at once
ROUND_SECONDS = 30  # a round starts no new pings after this: it never holds a run much longer


class HubError(Exception):
    """The hub could not be reached or did not accept the ping."""


@dataclass
class Delivery:
    sent: list[str] = field(default_factory=list)
    deferred: int = 0
    given_up: list[str] = field(default_factory=list)


def ping(hub: str, topic: str, timeout: float) -> None:
    import http.client  # only where a hub is set: start-up stays short
    import urllib.error
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic}).encode("ascii")
    request = urllib.request.Request(hub, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if not 200 <= response.status < 300:
                raise HubError(f"hub answered {response.status}")
    except urllib.error.HTTPError as exc:
        raise HubError(f"hub answered {exc.code}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise HubError(f"hub unreachable: {getattr(exc, 'reason', exc)}") from None
    except http.client.HTTPException as exc:
        raise HubError(f"hub answered nonsense: {type(exc).__name__}") from None


def retry_delay(attempts: int) -> float:
    return float(min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS))


def announce(store: Store, address: Callable[[str], str], written: list[str]) -> None:
    """Queue a ping for every subscription document among the files just written (paths under
    `out/`, made URLs by `address`); archive pages are never announced."""
    store.websub.enqueue([address(relative) for relative in written if is_subscription_document(relative)])


def deliver(store: Store, settings: WebSubSettings, now: float,
            should_stop: Callable[[], bool] = lambda: False) -> Delivery:
    """Ping the hub for every queued URL that is due, `PARALLEL` at a time, for at most
    `ROUND_SECONDS`. A failure ends the round: the hub is down or slow, so every URL still due
    waits for the same backoff and counts the attempt. URLs the round had no time for stay due
    and count nothing."""
    delivery = Delivery()
    hub = settings.hub
    if hub is None:
        return delivery
    try:
        _deliver(store, settings, str(hub), now, delivery, should_stop)
    except StoreError as exc:
        # Another run holds the store for long: the queue is intact, the next run delivers it.
        log.warning("WebSub: queue unavailable (%s); pings wait for the next run", exc)
    return delivery


def _deliver(store: Store, settings: WebSubSettings, hub: str, now: float, delivery: Delivery,
             should_stop: Callable[[], bool]) -> None:
    due = store.websub.due(now)
    deadline = time.monotonic() + ROUND_SECONDS
    with ThreadPoolExecutor(PARALLEL) as pool:
        for start in range(0, len(due), PARALLEL):
            if start and (should_stop() or time.monotonic() >= deadline):
                log.info("WebSub: %d ping(s) left for the next run", len(due) - start)
                break
            wave = due[start:start + PARALLEL]
            outcomes = list(pool.map(lambda item: _try(hub, item[0], settings.timeout_seconds), wave))
            for (url, _, announced), failure in zip(wave, outcomes, strict=True):
                if failure is None:
                    # This announcement is sent; one made meanwhile (another run) stays queued.
                    store.websub.done(url, announced)
                    delivery.sent.append(url)
            failed = [(item, failure) for item, failure in zip(wave, outcomes, strict=True) if failure is not None]
            if failed:
                (_, attempts, _), failure = failed[0]
                _postpone(store, settings, [item for item, _ in failed] + due[start + PARALLEL:], now, delivery)
                log.warning("WebSub: %s; %d feed(s) to retry in %g s or later, %d given up", failure, delivery.deferred,
                            retry_delay(attempts + 1), len(delivery.given_up))
                break
    if delivery.sent:
        log.info("WebSub: notified %s of %d changed feed(s)", hub, len(delivery.sent))


def _try(hub: str, url: str, timeout: float) -> HubError | None:
    try:
        ping(hub, url, timeout)
    except HubError as exc:
        return exc
    return None


def _postpone(store: Store, settings: WebSubSettings, waiting: list[tuple[str, int, int]], now: float,
              delivery: Delivery) -> None:
    for url, attempts, announced in waiting:
        attempts += 1
        if attempts >= settings.max_attempts:
            log.error("WebSub: gave up notifying %s of %s after %d attempts", settings.hub, url, attempts)
            store.websub.done(url, announced)
            delivery.given_up.append(url)
        else:
            store.websub.retry(url, announced, attempts, now + retry_delay(attempts))
            delivery.deferred += 1
