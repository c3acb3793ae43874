"""X-Web-Hook delivery: POST the job's result body with X-Job-UUID and X-Job-Success."""

from __future__ import annotations

import logging
import time

import httpx

log = logging.getLogger("zslite.webhooks")


def deliver(url: str, job_uuid: str, success: bool, body: bytes, timeout: float, attempts: int = 3) -> bool:
    headers = {"Content-Type": "application/json", "X-Job-UUID": job_uuid,
               "X-Job-Success": "true" if success else "false"}
    for attempt in range(attempts):
        try:
            r = httpx.post(url, content=body, headers=headers, timeout=timeout)
            if r.status_code < 500:
                return r.is_success
        except httpx.HTTPError as exc:
            log.warning("webhook for job %s to %s failed: %s", job_uuid, url, exc.__class__.__name__)
        time.sleep(min(2 ** attempt * 0.2, 2.0))
    return False
